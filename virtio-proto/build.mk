# vmcompact userspace: guest agent, host tools and their unit tests.
#
# Included by the top-level Makefile, which runs from the repository root.
# Defines USERSPACE_BINS and UNIT_TESTS; every name of its own starts with
# VMC_.  Objects go to build/obj/<flavour>/<source path>.o, one flavour per
# set of flags: guest (linked -static), host, and test (ASan + UBSan).  A
# source shared by a guest and a host program (the map reader and its text
# and JSON forms) is built once per flavour.

VMC_CFLAGS ?= -std=c11 -Wall -Wextra -Werror -O2 -g -D_GNU_SOURCE
VMC_CPPFLAGS := -Iinclude -Iinclude/uapi -MMD -MP
VMC_SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all \
		-fno-omit-frame-pointer
VMC_JSONC_CFLAGS := $(shell pkg-config --cflags json-c)
VMC_JSONC_LIBS := $(shell pkg-config --libs json-c)
VMC_JSONC_STATIC_LIBS := $(shell pkg-config --libs --static json-c)

VMC_PROTO_SRCS := $(addprefix virtio-proto/,crc32.c parser.c proto.c map.c \
		    vacate.c census.c)
VMC_AGENT_SRCS := $(addprefix guest-agent/,main.c port.c handler.c vacate.c)
# The map, its totals, text and JSON: vmcompactctl's and vacatectl's.
VMC_MAPVIEW_SRCS := $(addprefix host-agent/,map.c mapstat.c render.c json.c \
		      jsonout.c)
VMC_CLIENT_SRCS := $(addprefix host-agent/,client.c fetch.c map.c mapstat.c \
		     unix_connect.c)
# vacatectl's request report, also vmcompactctl vacate's.
VMC_REPORT_SRCS := $(addprefix guest-tools/vacatectl/,names.c report.c \
		     report_json.c census.c census_text.c census_json.c)
VMC_CTL_SRCS := $(sort $(VMC_CLIENT_SRCS) $(VMC_MAPVIEW_SRCS) \
			$(VMC_REPORT_SRCS) $(addprefix guest-tools/vacatectl/,args.c errors.c) \
			host-agent/ctl.c host-agent/raw.c host-agent/vacate_cmd.c \
			host-agent/daemon_cmd.c host-agent/census_cmd.c)
# vacatectl: what needs no device is unit tested (test_vacatectl).
VMC_VACATECTL_LIB_SRCS := $(addprefix guest-tools/vacatectl/,args.c names.c \
			    errors.c diagnose.c report.c report_json.c \
			    census.c census_text.c census_json.c) \
			  $(addprefix host-agent/,mapstat.c jsonout.c)
VMC_VACATECTL_SRCS := $(sort $(VMC_VACATECTL_LIB_SRCS) $(VMC_MAPVIEW_SRCS) \
			$(addprefix guest-tools/vacatectl/,main.c vacate.c \
			  census_cmd.c device.c hold.c clock.c) \
			guest-agent/vacate.c)
# vmcompactd: the event loop (liburing), QMP (json-c), the host check.
VMC_DAEMON_SRCS := $(addprefix host-agent/daemon/,vmcompactd.c loop.c \
		     agent_conn.c qmp.c memfd.c vm.c libvirt.c control.c) \
		   host-agent/unix_connect.c
VMC_DAEMON_LIBS := $(shell pkg-config --libs liburing libvirt libvirt-qemu \
		     libxml-2.0 json-c)
VMC_DAEMON_CFLAGS := $(shell pkg-config --cflags libxml-2.0)
VMC_TEST_NAMES := test_crc32 test_parser test_codec test_hostmap test_agent \
		  test_vacatectl test_memfd

# $(call vmc_objs,flavour,sources)
vmc_objs = $(patsubst %.c,build/obj/$(1)/%.o,$(2))

VMC_AGENT := build/guest/bin/vmcompact-agent
VMC_CTL := build/host/vmcompactctl
VMC_DAEMON := build/host/vmcompactd
VMC_VACATECTL := build/guest/bin/vacatectl
USERSPACE_BINS := $(VMC_AGENT) $(VMC_CTL) $(VMC_VACATECTL) $(VMC_DAEMON)
UNIT_TESTS := $(addprefix build/tests/unit/,$(VMC_TEST_NAMES))

VMC_AGENT_OBJS := $(call vmc_objs,guest,$(VMC_AGENT_SRCS) $(VMC_PROTO_SRCS))
VMC_CTL_OBJS := $(call vmc_objs,host,$(VMC_CTL_SRCS) $(VMC_PROTO_SRCS))
VMC_DAEMON_OBJS := $(call vmc_objs,host,$(VMC_DAEMON_SRCS) $(VMC_PROTO_SRCS))
VMC_VACATECTL_OBJS := $(call vmc_objs,guest,$(VMC_VACATECTL_SRCS) \
			$(VMC_PROTO_SRCS))
VMC_VACATECTL_TEST_OBJS := $(call vmc_objs,test,$(VMC_VACATECTL_LIB_SRCS))
VMC_TEST_BASE_OBJS := $(call vmc_objs,test,$(VMC_PROTO_SRCS) \
			tests/unit/harness.c)
VMC_TEST_OBJS := $(VMC_TEST_BASE_OBJS) \
		 $(call vmc_objs,test,$(VMC_CLIENT_SRCS) tests/unit/proc.c \
			$(patsubst %,tests/unit/%.c,$(VMC_TEST_NAMES))) \
		 $(VMC_VACATECTL_TEST_OBJS) build/obj/test/host-agent/daemon/memfd.o

build/obj/guest/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(VMC_CFLAGS) $(VMC_CPPFLAGS) $(VMC_JSONC_CFLAGS) -c -o $@ $<

build/obj/host/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(VMC_CFLAGS) $(VMC_CPPFLAGS) $(VMC_JSONC_CFLAGS) \
		$(VMC_HOST_CFLAGS) -c -o $@ $<
build/obj/host/host-agent/daemon/%.o: VMC_HOST_CFLAGS := $(VMC_DAEMON_CFLAGS)

build/obj/test/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(VMC_CFLAGS) $(VMC_SANITIZE) $(VMC_CPPFLAGS) \
		$(VMC_JSONC_CFLAGS) $(VMC_TEST_CPPFLAGS) -c -o $@ $<

$(VMC_AGENT): $(VMC_AGENT_OBJS)
	@mkdir -p $(@D)
	$(CC) -static $(VMC_CFLAGS) -o $@ $^

$(VMC_CTL): $(VMC_CTL_OBJS)
	@mkdir -p $(@D)
	$(CC) $(VMC_CFLAGS) -o $@ $^ $(VMC_JSONC_LIBS)

$(VMC_DAEMON): $(VMC_DAEMON_OBJS)
	@mkdir -p $(@D)
	$(CC) $(VMC_CFLAGS) -o $@ $^ $(VMC_DAEMON_LIBS)

$(VMC_VACATECTL): $(VMC_VACATECTL_OBJS)
	@mkdir -p $(@D)
	$(CC) -static $(VMC_CFLAGS) -o $@ $^ $(VMC_JSONC_STATIC_LIBS)

$(UNIT_TESTS): build/tests/unit/%: build/obj/test/tests/unit/%.o \
		$(VMC_TEST_BASE_OBJS)
	@mkdir -p $(@D)
	$(CC) $(VMC_CFLAGS) $(VMC_SANITIZE) -o $@ $(filter %.o,$^) \
		$(VMC_TEST_LIBS)

# These run the real binaries; VMC_AGENT_BIN and VMC_CTL_BIN in the
# environment override the built-in paths (e.g. with sanitized builds).
build/tests/unit/test_hostmap: build/obj/test/tests/unit/proc.o \
	$(call vmc_objs,test,$(VMC_CLIENT_SRCS)) | $(VMC_CTL)
build/tests/unit/test_agent: build/obj/test/tests/unit/proc.o | \
	$(VMC_AGENT) $(VMC_CTL)
build/tests/unit/test_memfd: build/obj/test/host-agent/daemon/memfd.o
build/tests/unit/test_vacatectl: $(VMC_VACATECTL_TEST_OBJS)
build/tests/unit/test_vacatectl: VMC_TEST_LIBS := $(VMC_JSONC_LIBS)
build/obj/test/tests/unit/test_hostmap.o: \
	VMC_TEST_CPPFLAGS := -DVMC_CTL_BIN='"$(abspath $(VMC_CTL))"'
build/obj/test/tests/unit/test_agent.o: \
	VMC_TEST_CPPFLAGS := -DVMC_AGENT_BIN='"$(abspath $(VMC_AGENT))"' \
			     -DVMC_CTL_BIN='"$(abspath $(VMC_CTL))"'

-include $(patsubst %.o,%.d,$(VMC_AGENT_OBJS) $(VMC_CTL_OBJS) $(VMC_DAEMON_OBJS) \
	   $(VMC_VACATECTL_OBJS) $(VMC_TEST_OBJS))
