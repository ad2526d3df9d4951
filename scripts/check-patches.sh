#!/bin/bash
# Every prefix of the series must build: apply patches 1..i to a scratch
# tree and build it, for every i (incremental builds, ccache), and run
# checkpatch --strict on each patch.  Slow: not part of `make test`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
patches=$root/guest-kernel/patches
scratch=$root/build/kernel/check
mapfile -t series < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$patches/series")

rm -rf "$scratch/patches"
mkdir -p "$scratch/patches"
for i in "${!series[@]}"; do
	printf '%s\n' "${series[@]:0:i+1}" > "$scratch/patches/series"
	cp "$patches/${series[i]}" "$scratch/patches/"
	echo "check-patches: building with patches 1..$((i + 1)) (${series[i]})"
	"$root/scripts/checkpatch.sh" "$patches/${series[i]}" ||
		{ echo "check-patches: checkpatch failed on ${series[i]}"; exit 1; }
	KCONFIG_ALLOW_UNKNOWN=1 PATCH_DIR=$scratch/patches KERNEL_BUILD_DIR=$scratch \
		KERNEL_OUT=$scratch/bzImage "$root/scripts/build-kernel.sh" >"$scratch/build.log" 2>&1 ||
		{ tail -30 "$scratch/build.log"; echo "check-patches: ${series[i]} does not build"; exit 1; }
done
echo "check-patches: all ${#series[@]} prefixes build and pass checkpatch"
