#!/bin/bash
# scripts/checkpatch.sh PATCH...: the kernel's checkpatch.pl --strict on
# each patch, from inside the patched tree (build/kernel/src), where it
# learns the kernel's own identifiers.  Prints what it finds; exits 1 if
# anything is left after dropping one false positive: CamelCase reports
# of the page type accessors that PAGE_TYPE_OPS() generates
# (__SetPageOffline(), __ClearPageOffline()): checkpatch exempts the
# Page<foo> flag accessors, but not these.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
src=${KERNEL_SRC:-$root/build/kernel/src}
# spdxcheck.py (run by checkpatch) needs Debian's python3 with ply and git.
export PATH=/usr/bin:$PATH
rc=0
for p in "$@"; do
	p=$(realpath "$p")
	out=$(cd "$src" && scripts/checkpatch.pl --strict -q "$p" 2>&1 |
		grep -vE '^total: ' |
		awk '/^CHECK: Avoid CamelCase: <__(Set|Clear)Page[A-Z][A-Za-z]*>$/ { skip = 1; next }
		     /^$/ { skip = 0 }
		     !skip')
	if grep -qE '^(ERROR|WARNING|CHECK):' <<<"$out"; then
		echo "$(basename "$p"):"
		echo "$out"
		rc=1
	fi
done
exit $rc
