#!/bin/bash
# The vmcompact test suite.  Runs every unit test binary in build/tests/unit/
# and every tests/host/*.sh (which boot guests), counts their "PASS name" /
# "FAIL name: why" / "SKIP name: why" lines, and ends with the line
#   N passed, N failed, N skipped
# A test program that exits non-zero without printing a FAIL counts as one.
# Logs: build/test-logs/.  Only tests whose name matches $TESTS (a regex)
# run when it is set.  `tests/run.sh long` runs tests/long/*.sh instead
# (make test-long).
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
logs=$root/build/test-logs
mkdir -p "$logs"
passed=0 failed=0 skipped=0

run_one() {
	local name=$1; shift
	local log=$logs/$name.log rc=0 t0=$SECONDS
	[ -n "${TESTS:-}" ] && ! [[ "$name" =~ $TESTS ]] && return
	echo "=== $name"
	rm -f "$log"
	"$@" > "$log" 2>&1 || rc=$?
	local p f s
	p=$(grep -c '^PASS ' "$log")
	f=$(grep -c '^FAIL ' "$log")
	s=$(grep -c '^SKIP ' "$log")
	grep -E '^(PASS|FAIL|SKIP) ' "$log" | sed 's/^/  /'
	echo "  ($((SECONDS - t0)) s)"
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		echo "  FAIL $name: exited $rc (log: $log)"
		tail -n 20 "$log" | sed 's/^/    | /'
		f=1
	elif [ "$f" != 0 ]; then
		echo "  (log: $log)"
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
}

if [ "${1:-}" = long ]; then
	for t in "$root"/tests/long/*.sh; do
		run_one "long-$(basename "$t" .sh)" bash "$t"
	done
else
	for t in "$root"/build/tests/unit/*; do
		[ -x "$t" ] && run_one "unit-$(basename "$t")" "$t"
	done
	for t in "$root"/tests/host/*.sh; do
		run_one "$(basename "$t" .sh)" bash "$t"
	done
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
