# The patch series: checkpatch --strict on every patch, and the uapi header
# in include/ identical to the one the series adds to the kernel.
source "$(dirname "$0")/../lib.sh"
src=$root/build/kernel/src
patches=$root/guest-kernel/patches

while read -r p; do
	if out=$("$root/scripts/checkpatch.sh" "$patches/$p"); then
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
