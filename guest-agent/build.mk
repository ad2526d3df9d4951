# vmcompact-agent: static, for any guest (userspace.mk).
VMC_AGENT := build/guest/bin/vmcompact-agent
VMC_AGENT_OBJS := $(call vmc_objs,plain,$(wildcard guest-agent/*.c))
VMC_DEPS += $(VMC_AGENT_OBJS)
USERSPACE_BINS += $(VMC_AGENT)

$(VMC_AGENT): $(VMC_AGENT_OBJS) $(call vmc_libs,plain)
	@mkdir -p $(@D)
	$(CC) -static $(VMC_CFLAGS) $(LDFLAGS) -o $@ $^ -lz
