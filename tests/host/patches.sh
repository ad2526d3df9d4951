# The patch series: checkpatch --strict on every patch, and the uapi header
# in include/ identical to the one the series adds to the kernel.
source "$(dirname "$0")/../lib.sh"
src=$root/build/kernel/src
patches=$root/guest-kernel/patches

# spdxcheck.py (run by checkpatch) needs Debian's python3 with ply and git.
export PATH=/usr/bin:$PATH
while read -r p; do
	# From inside the tree: checkpatch learns the kernel's own identifiers there.
	if out=$(cd "$src" && scripts/checkpatch.pl --strict -q "$patches/$p" 2>&1) &&
	   ! grep -qE '^(ERROR|WARNING|CHECK):' <<<"$out"; then
		pass "checkpatch-$p"
	else
		fail "checkpatch-$p:"
		echo "$out"
	fi
done < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$patches/series")

for h in "$root"/include/uapi/linux/*.h; do
	name=include/uapi/linux/$(basename "$h")
	if cmp -s "$h" "$src/$name"; then
		pass "uapi-identical-$(basename "$h")"
	else
		fail "uapi-identical-$(basename "$h"): $name differs from the patched kernel's"
	fi
done
