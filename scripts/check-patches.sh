#!/bin/bash
# Every prefix of the series must build: apply patches 1..i to a scratch
# tree and build it, for every i (incremental builds, ccache), and run
# checkpatch --strict on each patch.  Slow: not part of `make test`.
# CHECK_PATCHES_FROM=K builds only the prefixes 1..K and on (the first of
# them applies patches 1..K at once): to go on after an interrupted run,
# whose log says which prefixes built.  Every patch is still checkpatched.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
patches=$root/guest-kernel/patches
scratch=$root/build/kernel/check
mapfile -t series < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$patches/series")
from=${CHECK_PATCHES_FROM:-1}
[[ $from =~ ^[0-9]+$ ]] && [ "$from" -ge 1 ] && [ "$from" -le ${#series[@]} ] ||
	{ echo "check-patches: CHECK_PATCHES_FROM=$from: want a prefix, 1..${#series[@]}" >&2; exit 2; }

rm -rf "$scratch/patches"
mkdir -p "$scratch/patches"
for i in "${!series[@]}"; do
	printf '%s\n' "${series[@]:0:i+1}" > "$scratch/patches/series"
	cp "$patches/${series[i]}" "$scratch/patches/"
	"$root/scripts/checkpatch.sh" "$patches/${series[i]}" ||
		{ echo "check-patches: checkpatch failed on ${series[i]}"; exit 1; }
	[ $((i + 1)) -lt "$from" ] && continue
	echo "check-patches: building with patches 1..$((i + 1)) (${series[i]})"
	KCONFIG_ALLOW_UNKNOWN=1 PATCH_DIR=$scratch/patches KERNEL_BUILD_DIR=$scratch \
		KERNEL_OUT=$scratch/bzImage "$root/scripts/build-kernel.sh" >"$scratch/build.log" 2>&1 ||
		{ tail -30 "$scratch/build.log"; echo "check-patches: ${series[i]} does not build"; exit 1; }
done
echo "check-patches: prefixes $from..${#series[@]} of ${#series[@]} build; every patch passes checkpatch"
