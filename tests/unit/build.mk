# Unit tests, under ASan + UBSan (userspace.mk): build/tests/unit/test_X
# from tests/unit/test_X.c, the harness and the san archives.
VMC_TEST_NAMES := $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c))
UNIT_TESTS := $(addprefix build/tests/unit/,$(VMC_TEST_NAMES))
VMC_TEST_BASE := $(call vmc_objs,san,tests/unit/harness.c tests/unit/proc.c)
VMC_DEPS += $(VMC_TEST_BASE) $(call vmc_objs,san,$(wildcard tests/unit/test_*.c))

$(UNIT_TESTS): build/tests/unit/%: build/obj/san/tests/unit/%.o \
		$(VMC_TEST_BASE) $(call vmc_libs,san)
	@mkdir -p $(@D)
	$(CC) $(VMC_CFLAGS) $(VMC_SANITIZE) -o $@ $(filter %.o,$^) $(filter %.a,$^) \
		$(VMC_JSONC_LIBS) -lz

# These run the real binaries (VMC_AGENT_BIN and VMC_CTL_BIN in the
# environment override the built-in paths), or test a daemon file.
build/tests/unit/test_hostmap: | $(VMC_CTL)
build/tests/unit/test_agent: | $(VMC_AGENT) $(VMC_CTL)
build/obj/san/tests/unit/test_hostmap.o: \
	VMC_EXTRA_CFLAGS := -DVMC_CTL_BIN='"$(abspath $(VMC_CTL))"'
build/obj/san/tests/unit/test_agent.o: \
	VMC_EXTRA_CFLAGS := -DVMC_AGENT_BIN='"$(abspath $(VMC_AGENT))"' \
			    -DVMC_CTL_BIN='"$(abspath $(VMC_CTL))"'
build/tests/unit/test_hostmem: build/obj/san/host-agent/vmcompactd/hostmem.o build/obj/san/host-agent/vmcompactd/layout.o
build/tests/unit/test_vacatectl: $(call vmc_objs,san,guest-tools/vacatectl/args.c \
	guest-tools/vacatectl/diagnose.c)
