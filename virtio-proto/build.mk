# vmcompact userspace: guest agent, host tools and their unit tests.
#
# Included by the top-level Makefile, which runs from the repository root.
# Defines USERSPACE_BINS and UNIT_TESTS; every name of its own starts with
# VMC_.  Objects go to build/obj/<flavour>/<source path>.o, one flavour per
# set of flags: guest (linked -static), host, and test (ASan + UBSan).

VMC_CFLAGS ?= -std=c11 -Wall -Wextra -Werror -O2 -g -D_GNU_SOURCE
VMC_CPPFLAGS := -Iinclude -Iinclude/uapi -MMD -MP
VMC_SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all \
		-fno-omit-frame-pointer
VMC_JSONC_CFLAGS := $(shell pkg-config --cflags json-c)
VMC_JSONC_LIBS := $(shell pkg-config --libs json-c)

VMC_PROTO_SRCS := $(addprefix virtio-proto/,crc32.c parser.c proto.c map.c)
VMC_AGENT_SRCS := $(addprefix guest-agent/,main.c port.c handler.c vacate.c)
VMC_CLIENT_SRCS := $(addprefix host-agent/,client.c map.c mapstat.c)
VMC_CTL_SRCS := $(VMC_CLIENT_SRCS) \
		$(addprefix host-agent/,ctl.c raw.c render.c json.c)
VMC_TEST_NAMES := test_crc32 test_parser test_codec test_hostmap test_agent

# $(call vmc_objs,flavour,sources)
vmc_objs = $(patsubst %.c,build/obj/$(1)/%.o,$(2))

VMC_AGENT := build/guest/bin/vmcompact-agent
VMC_CTL := build/host/vmcompactctl
USERSPACE_BINS := $(VMC_AGENT) $(VMC_CTL)
UNIT_TESTS := $(addprefix build/tests/unit/,$(VMC_TEST_NAMES))

VMC_AGENT_OBJS := $(call vmc_objs,guest,$(VMC_AGENT_SRCS) $(VMC_PROTO_SRCS))
VMC_CTL_OBJS := $(call vmc_objs,host,$(VMC_CTL_SRCS) $(VMC_PROTO_SRCS))
VMC_TEST_BASE_OBJS := $(call vmc_objs,test,$(VMC_PROTO_SRCS) \
			tests/unit/harness.c)
VMC_TEST_OBJS := $(VMC_TEST_BASE_OBJS) \
		 $(call vmc_objs,test,$(VMC_CLIENT_SRCS) tests/unit/proc.c \
			$(patsubst %,tests/unit/%.c,$(VMC_TEST_NAMES)))

build/obj/guest/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(VMC_CFLAGS) $(VMC_CPPFLAGS) -c -o $@ $<

build/obj/host/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(VMC_CFLAGS) $(VMC_CPPFLAGS) $(VMC_JSONC_CFLAGS) -c -o $@ $<

build/obj/test/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(VMC_CFLAGS) $(VMC_SANITIZE) $(VMC_CPPFLAGS) \
		$(VMC_TEST_CPPFLAGS) -c -o $@ $<

$(VMC_AGENT): $(VMC_AGENT_OBJS)
	@mkdir -p $(@D)
	$(CC) -static $(VMC_CFLAGS) -o $@ $^

$(VMC_CTL): $(VMC_CTL_OBJS)
	@mkdir -p $(@D)
	$(CC) $(VMC_CFLAGS) -o $@ $^ $(VMC_JSONC_LIBS)

$(UNIT_TESTS): build/tests/unit/%: build/obj/test/tests/unit/%.o \
		$(VMC_TEST_BASE_OBJS)
	@mkdir -p $(@D)
	$(CC) $(VMC_CFLAGS) $(VMC_SANITIZE) -o $@ $(filter %.o,$^)

# These run the real binaries; VMC_AGENT_BIN and VMC_CTL_BIN in the
# environment override the built-in paths (e.g. with sanitized builds).
build/tests/unit/test_hostmap: build/obj/test/tests/unit/proc.o \
	$(call vmc_objs,test,$(VMC_CLIENT_SRCS)) | $(VMC_CTL)
build/tests/unit/test_agent: build/obj/test/tests/unit/proc.o | \
	$(VMC_AGENT) $(VMC_CTL)
build/obj/test/tests/unit/test_hostmap.o: \
	VMC_TEST_CPPFLAGS := -DVMC_CTL_BIN='"$(abspath $(VMC_CTL))"'
build/obj/test/tests/unit/test_agent.o: \
	VMC_TEST_CPPFLAGS := -DVMC_AGENT_BIN='"$(abspath $(VMC_AGENT))"' \
			     -DVMC_CTL_BIN='"$(abspath $(VMC_CTL))"'

-include $(patsubst %.o,%.d,$(VMC_AGENT_OBJS) $(VMC_CTL_OBJS) $(VMC_TEST_OBJS))
