# vmcompact: guest kernel series, guest image, agents, tests.
#
#   make deps        install the Debian packages (scripts/packages.txt)
#   make [all]       kernel + initramfs + host tools
#   make kernel      build/guest/bzImage (DEBUG=1: build/guest/bzImage-debug,
#                    KASAN/lockdep/DEBUG_VM; DEBUG=slub: bzImage-debug-slub,
#                    the same with slub_debug on every cache)
#   make initramfs   build/guest/initramfs.cpio.gz
#   make debian-image  build/guest/debian.img, the Debian 12 guest (root)
#   make test        everything above, then the test suite
#   make test-long   both debug kernels: KUnit, unmount races, memory
#                    hotplug and a 10-minute mixed stress on each
#   make test-stress the mixed stress alone on the DEBUG=1 kernel, for CI
#                    (STRESS_SECS, STRESS_KERNELS)
#   make demo        everything above, then the demo (scripts/demo.sh)
#   make bench       figures into build/bench/ (bench/run.sh); never pass/fail
#   make check-patches  checkpatch --strict and a build of every prefix
#                       of the series (CHECK_PATCHES_FROM=K: prefixes K..)
#   make install     the host and guest programs (PREFIX, DESTDIR;
#                    install-host, install-guest: userspace.mk)
#   make debs        the Debian packages into build/debs/
#   make fuzz        each libFuzzer harness for FUZZ_SECONDS (default 300)
#   make clean

.DEFAULT_GOAL := all
SHELL := /bin/bash
B := build
DEBUG ?= 0

# Userspace: the library, the programs and their tests (userspace.mk):
# USERSPACE_BINS, GUEST_TOOLS, UNIT_TESTS, and the install and fuzz targets.
include userspace.mk

.PHONY: all deps kernel debug-kernels initramfs userspace test test-long \
	test-stress demo bench check-patches clean FORCE

all: kernel initramfs userspace

deps:
	@scripts/deps.sh

kernel:
	DEBUG=$(DEBUG) scripts/build-kernel.sh

debug-kernels:
	DEBUG=1 scripts/build-kernel.sh
	DEBUG=slub scripts/build-kernel.sh

userspace: $(USERSPACE_BINS) $(GUEST_TOOLS) $(UNIT_TESTS)

# Cheap to rebuild, and it picks up whatever build/guest/bin holds.
initramfs: $(B)/guest/initramfs.cpio.gz
$(B)/guest/initramfs.cpio.gz: $(USERSPACE_BINS) $(GUEST_TOOLS) FORCE
	scripts/build-initramfs.sh

# deps first, on its own: the rest needs what it installs.
test: deps
	@scripts/need-space.sh
	$(MAKE) all
	$(MAKE) debian-image
	tests/run.sh

# Both debug kernels (KASAN, lockdep, DEBUG_VM; with and without
# slub_debug on every cache) under KUnit, races and stress.
test-long: deps
	$(MAKE) all debug-kernels
	tests/run.sh long

# CI: the mixed stress alone, on the DEBUG=1 kernel unless STRESS_KERNELS
# says otherwise, for STRESS_SECS per kernel.
test-stress: deps
	$(MAKE) all
	$(MAKE) kernel DEBUG=1
	STRESS_KERNELS="$${STRESS_KERNELS:-debug}" TESTS=long-stress tests/run.sh long

demo: deps
	@scripts/need-space.sh
	$(MAKE) all
	scripts/demo.sh

# The bench (bench/run.sh, issue 10): vmcompact against every alternative,
# the stock kernel among them: Linux 6.1 without the series, the same
# config (bench-stock-kernel, built once per machine into build/kernel-stock,
# which make clean keeps), and the bench's own guest helper, module and
# payloads (bench/guest/).
bench: deps
	@scripts/need-space.sh
	@bench/timed.sh - all $(MAKE) all $(B)/bench/codec
	@bench/timed.sh stock-kernel $(MAKE) bench-stock-kernel
	@bench/timed.sh debian-image $(MAKE) debian-image
	@bench/timed.sh bench-guest $(MAKE) bench-guest
	bench/run.sh

STOCK_KERNEL := $(B)/kernel-stock/bzImage
.PHONY: bench-stock-kernel bench-guest
bench-stock-kernel:
	KCONFIG_ALLOW_UNKNOWN=1 PATCH_DIR=bench/stock-kernel \
		KERNEL_BUILD_DIR=$(CURDIR)/$(B)/kernel-stock \
		KERNEL_OUT=$(CURDIR)/$(STOCK_KERNEL) LOCALVERSION=-stock \
		scripts/build-kernel.sh

# The SLUB module built against each kernel, and the bench's payload, as
# cpio archives that go after the initramfs.
bench-guest:
	bench/guest/build.sh

$(B)/bench/codec: bench/codec.c $(call vmc_libs,plain)
	@mkdir -p $(@D)
	$(CC) $(VMC_CFLAGS) $(filter -I% -D%,$(VMC_CPPFLAGS)) -o $@ $^ -lz

check-patches: deps
	scripts/check-patches.sh

clean:
	rm -rf $(B)/obj $(B)/lib $(B)/san $(B)/host $(B)/guest $(B)/tests \
		$(B)/fuzz $(B)/debs $(B)/initramfs $(B)/run
	rm -rf $(B)/kernel/obj $(B)/kernel/obj-debug $(B)/kernel/obj-debug-slub

FORCE:

# ---- The Debian 12 guest image (issue 9) ---------------------------------
# build/guest/debian.img: ext4 root, systemd, the agent started by udev,
# the workloads of tests/guest/workloads (scripts/debian-guest/).  Its
# root file system (mmdebstrap, a few minutes) is made once per machine,
# under build/guest/debian/; the image itself is redone in seconds when the
# kernel's modules, the guest programs or the workloads change.
.PHONY: debian-image
debian-image: deps
	$(MAKE) kernel userspace
	scripts/debian-guest/build-image.sh
