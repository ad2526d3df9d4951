# vmcompact: guest kernel series, guest image, agents, tests.
#
#   make deps        install the Debian packages (scripts/packages.txt)
#   make [all]       kernel + initramfs + host tools
#   make kernel      build/guest/bzImage (DEBUG=1: build/guest/bzImage-debug)
#   make initramfs   build/guest/initramfs.cpio.gz
#   make test        everything above, then the test suite
#   make test-long   the DEBUG=1 kernel under a 5-minute mobility stress
#   make demo        everything above, then the demo (scripts/demo.sh)
#   make bench       figures into build/bench/ (bench/run.sh); never pass/fail
#   make check-patches  checkpatch --strict and a build of every prefix
#                       of the series
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

.PHONY: all deps kernel initramfs userspace test test-long demo bench check-patches clean FORCE

all: kernel initramfs userspace

deps:
	@scripts/deps.sh

kernel:
	DEBUG=$(DEBUG) scripts/build-kernel.sh

userspace: $(USERSPACE_BINS) $(GUEST_TOOLS) $(UNIT_TESTS)

# Cheap to rebuild, and it picks up whatever build/guest/bin holds.
initramfs: $(B)/guest/initramfs.cpio.gz
$(B)/guest/initramfs.cpio.gz: $(USERSPACE_BINS) $(GUEST_TOOLS) FORCE
	scripts/build-initramfs.sh

# deps first, on its own: the rest needs what it installs.
test: deps
	@scripts/need-space.sh
	$(MAKE) all
	tests/run.sh

# The DEBUG=1 kernel (KASAN, lockdep, DEBUG_VM, slub_debug) under stress.
test-long: deps
	$(MAKE) all
	$(MAKE) kernel DEBUG=1
	tests/run.sh long

demo: deps
	@scripts/need-space.sh
	$(MAKE) all
	scripts/demo.sh

bench: deps
	@scripts/need-space.sh
	$(MAKE) all $(B)/bench/codec
	bench/run.sh

$(B)/bench/codec: bench/codec.c $(call vmc_libs,plain)
	@mkdir -p $(@D)
	$(CC) $(VMC_CFLAGS) $(filter -I% -D%,$(VMC_CPPFLAGS)) -o $@ $^ -lz

check-patches: deps
	scripts/check-patches.sh

clean:
	rm -rf $(B)/obj $(B)/lib $(B)/san $(B)/host $(B)/guest $(B)/tests \
		$(B)/fuzz $(B)/debs $(B)/initramfs $(B)/run
	rm -rf $(B)/kernel/obj $(B)/kernel/obj-debug

FORCE:
