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

VMC_VERSION := $(shell head -n 1 debian/changelog | tr -d '()' | cut -d' ' -f2)
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

# What ships also takes the builder's CPPFLAGS, CFLAGS and LDFLAGS
# (dpkg-buildflags: hardening).
build/obj/plain/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(VMC_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(VMC_CPPFLAGS) \
		$(VMC_EXTRA_CFLAGS) -c -o $@ $<
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

# What ships, and make install (PREFIX, DESTDIR): install-host is
# vmcompactd and vmcompactctl with their unit, config, tmpfiles and man
# pages; install-guest is vmcompact-agent (started by udev through its
# unit) and vacatectl.  debian/ packages each half.
PREFIX ?= /usr/local
SYSCONFDIR ?= /etc
UNITDIR ?= /lib/systemd/system
UDEVRULESDIR ?= /lib/udev/rules.d
TMPFILESDIR ?= /usr/lib/tmpfiles.d
MANDIR ?= $(PREFIX)/share/man
VMC_PROGRAMS := $(VMC_AGENT) $(VMC_VACATECTL) $(VMC_CTL) $(VMC_DAEMON)
VMC_SUBST = sed -e 's|@SBINDIR@|$(PREFIX)/sbin|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g'

.PHONY: programs install install-host install-guest
programs: $(VMC_PROGRAMS)

install: install-host install-guest

install-host: $(VMC_DAEMON) $(VMC_CTL)
	install -D -m 0755 $(VMC_DAEMON) $(DESTDIR)$(PREFIX)/sbin/vmcompactd
	install -D -m 0755 $(VMC_CTL) $(DESTDIR)$(PREFIX)/bin/vmcompactctl
	install -d $(DESTDIR)$(UNITDIR)
	$(VMC_SUBST) host-agent/vmcompactd/vmcompactd.service.in \
		> $(DESTDIR)$(UNITDIR)/vmcompactd.service
	install -D -m 0644 host-agent/vmcompactd/vmcompactd.conf \
		$(DESTDIR)$(SYSCONFDIR)/vmcompact/vmcompactd.conf
	install -D -m 0644 host-agent/vmcompactd/vmcompact.tmpfiles \
		$(DESTDIR)$(TMPFILESDIR)/vmcompact.conf
	install -D -m 0644 host-agent/vmcompactd/vmcompactd.8 \
		$(DESTDIR)$(MANDIR)/man8/vmcompactd.8
	install -D -m 0644 host-agent/vmcompactd/vmcompactd.conf.5 \
		$(DESTDIR)$(MANDIR)/man5/vmcompactd.conf.5
	install -D -m 0644 host-agent/vmcompactctl/vmcompactctl.8 \
		$(DESTDIR)$(MANDIR)/man8/vmcompactctl.8

install-guest: $(VMC_AGENT) $(VMC_VACATECTL)
	install -D -m 0755 $(VMC_AGENT) $(DESTDIR)$(PREFIX)/sbin/vmcompact-agent
	install -D -m 0755 $(VMC_VACATECTL) $(DESTDIR)$(PREFIX)/sbin/vacatectl
	install -d $(DESTDIR)$(UNITDIR)
	$(VMC_SUBST) guest-agent/vmcompact-agent.service.in \
		> $(DESTDIR)$(UNITDIR)/vmcompact-agent.service
	install -D -m 0644 guest-agent/60-vmcompact-agent.rules \
		$(DESTDIR)$(UDEVRULESDIR)/60-vmcompact-agent.rules
	install -D -m 0644 guest-agent/vmcompact-agent.8 \
		$(DESTDIR)$(MANDIR)/man8/vmcompact-agent.8
	install -D -m 0644 guest-tools/vacatectl/vacatectl.8 \
		$(DESTDIR)$(MANDIR)/man8/vacatectl.8

.PHONY: debs
debs:
	packaging/build-debs.sh
