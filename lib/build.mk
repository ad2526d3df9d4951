# What several programs share: build/lib/FLAVOUR/libvmcompact.a
# (userspace.mk).  Its headers are include/vmcompact/*.h.
$(call vmc_lib,vmcompact,$(wildcard lib/*.c))
