#!/bin/bash
# make fuzz: each libFuzzer harness (build/fuzz/fuzz_*) for FUZZ_SECONDS
# (default 300) on a working corpus under build/fuzz/corpus/, grown from
# the seeds in tests/fuzz/corpus/.  An input that crashes is written to
# build/fuzz/crashes/HARNESS/; once the bug is fixed, copy it to
# tests/fuzz/regress/HARNESS/, where tests/host/fuzz.sh runs it every
# time.  Exit status 1 if any harness found a crash.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${FUZZ_SECONDS:-300}
rc=0
for f in "$root"/build/fuzz/fuzz_*; do
	h=$(basename "$f"); h=${h#fuzz_}
	corpus=$root/build/fuzz/corpus/$h crashes=$root/build/fuzz/crashes/$h
	mkdir -p "$corpus" "$crashes"
	echo "fuzz: $h for $seconds s"
	if ! "$f" -max_total_time="$seconds" -artifact_prefix="$crashes/" \
		"$corpus" "$root/tests/fuzz/corpus/$h" > "$root/build/fuzz/$h.log" 2>&1; then
		echo "fuzz: $h crashed: $(ls "$crashes")"
		tail -n 30 "$root/build/fuzz/$h.log"
		rc=1
	fi
	tail -n 1 "$root/build/fuzz/$h.log"
done
exit $rc
