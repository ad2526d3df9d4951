#!/bin/bash
# make bench-guest: for each kernel of the bench (build/kernel: vmcompact;
# build/kernel-stock: Linux 6.1 without the series), the SLUB module
# (bench/kmod) built against it, and a gzipped cpio archive that goes
# after the initramfs (vm-run --initrd ... --initrd ARCHIVE):
#   /payloads/fragbench.sh      the bench's payload (bench/guest/)
#   /lib/vmc-bench/*.ko         the module of that kernel
#   /workloads                  tests/guest/workloads
# into build/bench/guest/{patched,stock}.cpio.gz.  Seconds.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$root/build/bench/guest
mkdir -p "$out"
for k in ${*:-patched stock}; do
	case $k in
	patched) kd=$root/build/kernel ;;
	stock) kd=$root/build/kernel-stock ;;
	esac
	[ -f "$kd/obj/Module.symvers" ] || { echo "bench-guest: no kernel build in $kd (make all, make bench-stock-kernel)" >&2; exit 1; }
	m=$out/kmod-$k
	mkdir -p "$m"
	cp "$root"/bench/kmod/Kbuild "$root"/bench/kmod/*.c "$m/"
	make -s -C "$kd/src" O="$kd/obj" M="$m" CC="ccache gcc" modules
	st=$out/stage-$k
	rm -rf "$st"
	mkdir -p "$st/payloads" "$st/lib/vmc-bench"
	cp "$root/bench/guest/fragbench.sh" "$st/payloads/"
	cp "$m"/*.ko "$st/lib/vmc-bench/"
	cp -a "$root/tests/guest/workloads" "$st/workloads"
	(cd "$st" && find . -mindepth 1 | sed 's|^\./||' | cpio -o -H newc -R 0:0 --quiet) | gzip -n > "$out/$k.cpio.gz"
	rm -rf "$st"
	echo "bench-guest: $out/$k.cpio.gz"
done
