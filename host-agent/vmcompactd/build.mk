# vmcompactd (userspace.mk): build/host/vmcompactd, and
# build/san/vmcompactd under ASan + UBSan for the tests.
VMC_DAEMON := build/host/vmcompactd
VMC_DAEMON_SAN := build/san/vmcompactd
VMC_DAEMON_SRCS := $(wildcard host-agent/vmcompactd/*.c)
VMC_DAEMON_LIBS := $(shell pkg-config --libs liburing libvirt libxml-2.0 \
		     json-c libsystemd) -lz
VMC_DEPS += $(call vmc_objs,plain,$(VMC_DAEMON_SRCS)) \
	    $(call vmc_objs,san,$(VMC_DAEMON_SRCS))
USERSPACE_BINS += $(VMC_DAEMON) $(VMC_DAEMON_SAN)

$(call vmc_objs,plain,$(VMC_DAEMON_SRCS)) $(call vmc_objs,san,$(VMC_DAEMON_SRCS)): \
	VMC_EXTRA_CFLAGS := $(shell pkg-config --cflags libxml-2.0)

$(VMC_DAEMON): $(call vmc_objs,plain,$(VMC_DAEMON_SRCS)) $(call vmc_libs,plain)
	@mkdir -p $(@D)
	$(CC) $(VMC_CFLAGS) $(LDFLAGS) -o $@ $^ $(VMC_DAEMON_LIBS)

$(VMC_DAEMON_SAN): $(call vmc_objs,san,$(VMC_DAEMON_SRCS)) $(call vmc_libs,san)
	@mkdir -p $(@D)
	$(CC) $(VMC_CFLAGS) $(VMC_SANITIZE) -o $@ $^ $(VMC_DAEMON_LIBS)
