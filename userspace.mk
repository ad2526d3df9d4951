# vmcompact userspace: one library, the programs, their tests.
#
# Included by the top-level Makefile, which runs from the repository root.
# Every directory builds only what is its own, in its build.mk:
#
#   virtio-proto/build.mk    libvmcproto.a: the codec (PROTOCOL.md)
#   lib/build.mk             libvmcompact.a: what several programs share
#                            (map reader and views, reports, census,
#                            /dev/vacate ioctls, host client)
#   guest-agent/build.mk     vmcompact-agent (guest, static)
#   guest-tools/build.mk     vacatectl and the small guest tools (static)
#   host-agent/*/build.mk    vmcompactctl, vmcompactd
#   tests/unit/build.mk      unit tests (ASan + UBSan)
#   tests/fuzz/build.mk      libFuzzer harnesses (clang)
#
# Programs include only <vmcompact/...> headers (include/vmcompact/) and
# link the two archives.  Objects go to build/obj/FLAVOUR/<source>.o and
# archives to build/lib/FLAVOUR/: plain (what ships), san (ASan + UBSan:
# unit tests, and the vmcompactd the tests run) and fuzz (clang,
# libFuzzer).  Every name defined here starts with VMC_ or vmc_.

VMC_VERSION := $(shell sed -n '1s/^[^ ]* (\([^-)]*\).*/\1/p' debian/changelog)
VMC_CFLAGS ?= -std=c11 -Wall -Wextra -Werror -O2 -g -D_GNU_SOURCE
VMC_CPPFLAGS := -Iinclude -Iinclude/uapi -MMD -MP \
		-DVMC_VERSION='"$(VMC_VERSION)"'
VMC_SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all \
		-fno-omit-frame-pointer
VMC_CLANG ?= clang
VMC_FUZZ_CFLAGS := -std=c11 -Wall -Wextra -Werror -O1 -g -D_GNU_SOURCE \
		   -fsanitize=fuzzer-no-link,address,undefined \
		   -fno-sanitize-recover=all -fno-omit-frame-pointer
VMC_FLAVOURS := plain san fuzz

# $(call vmc_objs,FLAVOUR,SOURCES)
vmc_objs = $(patsubst %.c,build/obj/$(1)/%.o,$(2))

build/obj/plain/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(VMC_CFLAGS) $(VMC_CPPFLAGS) $(VMC_EXTRA_CFLAGS) -c -o $@ $<
build/obj/san/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(VMC_CFLAGS) $(VMC_SANITIZE) $(VMC_CPPFLAGS) \
		$(VMC_EXTRA_CFLAGS) -c -o $@ $<
build/obj/fuzz/%.o: %.c
	@mkdir -p $(@D)
	$(VMC_CLANG) $(VMC_FUZZ_CFLAGS) $(VMC_CPPFLAGS) $(VMC_EXTRA_CFLAGS) \
		-c -o $@ $<

# $(call vmc_lib,NAME,SOURCES): build/lib/FLAVOUR/libNAME.a, every flavour.
define vmc_lib_rule
build/lib/$(1)/lib$(2).a: $(call vmc_objs,$(1),$(3))
	@mkdir -p $$(@D)
	rm -f $$@
	$(AR) rcs $$@ $$^
VMC_DEPS += $(call vmc_objs,$(1),$(3))
endef
vmc_lib = $(foreach f,$(VMC_FLAVOURS),$(eval $(call vmc_lib_rule,$(f),$(1),$(2))))

# The archives a program of FLAVOUR links, in link order.
vmc_libs = build/lib/$(1)/libvmcompact.a build/lib/$(1)/libvmcproto.a

VMC_JSONC_LIBS := $(shell pkg-config --libs json-c)
VMC_JSONC_STATIC_LIBS := $(shell pkg-config --libs --static json-c)

USERSPACE_BINS :=
UNIT_TESTS :=
VMC_DEPS :=

include virtio-proto/build.mk
include lib/build.mk
include guest-agent/build.mk
include guest-tools/build.mk
include host-agent/vmcompactctl/build.mk
include host-agent/vmcompactd/build.mk
include tests/unit/build.mk
include tests/fuzz/build.mk

-include $(VMC_DEPS:.o=.d)
