# The codec: build/lib/FLAVOUR/libvmcproto.a (userspace.mk).
$(call vmc_lib,vmcproto,$(wildcard virtio-proto/*.c))
