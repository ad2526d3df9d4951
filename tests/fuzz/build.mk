# libFuzzer harnesses (userspace.mk): build/fuzz/fuzz_X from
# tests/fuzz/fuzz_X.c and the fuzz flavour (clang) of what it tests.
# tests/host/fuzz.sh runs each shortly over the seed corpus
# (tests/fuzz/corpus/X) and the inputs of past crashes
# (tests/fuzz/regress/X); make fuzz runs them long (tests/fuzz/run.sh).
VMC_FUZZERS := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
VMC_DEPS += $(call vmc_objs,fuzz,$(wildcard tests/fuzz/fuzz_*.c))

$(VMC_FUZZERS): build/fuzz/%: build/obj/fuzz/tests/fuzz/%.o $(call vmc_libs,fuzz)
	@mkdir -p $(@D)
	$(VMC_CLANG) $(VMC_FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ \
		$(filter %.o,$^) $(filter %.a,$^) $(VMC_JSONC_LIBS) -lz

build/fuzz/fuzz_agent: $(call vmc_objs,fuzz,guest-agent/handler.c guest-agent/vacate.c)
build/fuzz/fuzz_qmp: $(call vmc_objs,fuzz,host-agent/vmcompactd/qmp_reader.c)

# Built with the rest, so that make test can run them.
userspace: $(VMC_FUZZERS)

.PHONY: fuzz
fuzz: $(VMC_FUZZERS)
	tests/fuzz/run.sh
