# Guest programs, static (userspace.mk): vacatectl, and one program per
# guest-tools/*.c (workloads and in-guest checks, on their own).
VMC_VACATECTL := build/guest/bin/vacatectl
VMC_VACATECTL_OBJS := $(call vmc_objs,plain,$(wildcard guest-tools/vacatectl/*.c))
VMC_DEPS += $(VMC_VACATECTL_OBJS)
USERSPACE_BINS += $(VMC_VACATECTL)

$(VMC_VACATECTL): $(VMC_VACATECTL_OBJS) $(call vmc_libs,plain)
	@mkdir -p $(@D)
	$(CC) -static $(VMC_CFLAGS) $(LDFLAGS) -o $@ $^ $(VMC_JSONC_STATIC_LIBS) -lz

GUEST_TOOLS := $(patsubst guest-tools/%.c,build/guest/bin/%,$(wildcard guest-tools/*.c))
$(GUEST_TOOLS): build/guest/bin/%: guest-tools/%.c include/uapi/linux/vacate.h
	@mkdir -p $(@D)
	$(CC) $(VMC_CFLAGS) -Iinclude/uapi -static -o $@ $<
