# A short libFuzzer run of each harness (tests/fuzz/fuzz_*.c, built in
# build/fuzz/): a fixed number of inputs from a fixed seed, starting from
# the seed corpus (tests/fuzz/corpus/HARNESS), then every input that once
# crashed it (tests/fuzz/regress/HARNESS).  make fuzz runs them long.
source "$(dirname "$0")/../lib.sh"
runs=${FUZZ_RUNS:-30000}
for f in "$root"/build/fuzz/fuzz_*; do
	h=$(basename "$f"); h=${h#fuzz_}
	if [ ! -x "$f" ]; then
		skip "fuzz-$h: $f not built"
		continue
	fi
	work=$run/corpus-$h
	mkdir -p "$work"
	if "$f" -runs="$runs" -seed=1 -artifact_prefix="$run/crash-$h-" "$work" \
		"$root/tests/fuzz/corpus/$h" > "$run/$h.log" 2>&1; then
		pass "fuzz-$h ($(grep -o 'Done [0-9]* runs' "$run/$h.log"), corpus $(ls "$work" | wc -l) new inputs)"
	else
		fail "fuzz-$h: $(grep -m1 -E 'ERROR|Assert|deadly' "$run/$h.log")"
		tail -n 30 "$run/$h.log"
	fi
	if [ -d "$root/tests/fuzz/regress/$h" ]; then
		if "$f" "$root"/tests/fuzz/regress/$h/* > "$run/$h-regress.log" 2>&1; then
			pass "fuzz-$h-regress ($(ls "$root/tests/fuzz/regress/$h" | wc -l) inputs that once crashed)"
		else
			fail "fuzz-$h-regress: $(grep -m1 -E 'ERROR|Assert|deadly' "$run/$h-regress.log")"
		fi
	fi
done
