# vmcompactctl (userspace.mk).
VMC_CTL := build/host/vmcompactctl
VMC_CTL_OBJS := $(call vmc_objs,plain,$(wildcard host-agent/vmcompactctl/*.c))
VMC_DEPS += $(VMC_CTL_OBJS)
USERSPACE_BINS += $(VMC_CTL)

$(VMC_CTL): $(VMC_CTL_OBJS) $(call vmc_libs,plain)
	@mkdir -p $(@D)
	$(CC) $(VMC_CFLAGS) $(LDFLAGS) -o $@ $^ $(VMC_JSONC_LIBS) -lz
