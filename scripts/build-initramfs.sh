#!/bin/bash
# Build build/guest/initramfs.cpio.gz: busybox-static, /init, every static
# binary in build/guest/bin/ (guest agent, vacatectl, test helpers) and
# the guest scripts of scripts/guest/bin/ under /bin, and the payloads of
# scripts/guest/payloads/ and tests/guest/payloads/ under /payloads.  Written with the kernel's gen_init_cpio, so no root is
# needed for /dev/console.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/build/guest/initramfs.cpio.gz
work=$root/build/initramfs
busybox=/bin/busybox
tarball=${LINUX_TARBALL:-/usr/src/linux-source-6.1.tar.xz}

die() { echo "build-initramfs: $*" >&2; exit 1; }
[ -x "$busybox" ] && "$busybox" --list | grep -x sh > /dev/null ||
	die "$busybox missing or not busybox-static: run 'make deps'"

# The kernel's gen_init_cpio, from the tarball: no kernel build needed.
mkdir -p "$work" "$(dirname "$out")"
if [ ! -x "$work/gen_init_cpio" ]; then
	[ -f "$tarball" ] || die "$tarball missing: run 'make deps'"
	tar -xf "$tarball" -C "$work" --strip-components=2 --wildcards '*/usr/gen_init_cpio.c'
	gcc -O2 -o "$work/gen_init_cpio" "$work/gen_init_cpio.c"
fi

{
	for d in /bin /dev /proc /sys /tmp /mnt /payloads; do
		echo "dir $d 0755 0 0"
	done
	echo "nod /dev/console 0600 0 0 c 5 1"
	echo "file /bin/busybox $busybox 0755 0 0"
	echo "slink /bin/sh busybox 0777 0 0"
	echo "file /init $root/scripts/guest/init 0755 0 0"
	for f in "$root"/build/guest/bin/* "$root"/scripts/guest/bin/*; do
		[ -x "$f" ] && echo "file /bin/$(basename "$f") $f 0755 0 0"
	done
	for f in "$root"/scripts/guest/payloads/*.sh "$root"/tests/guest/payloads/*.sh; do
		[ -f "$f" ] && echo "file /payloads/$(basename "$f") $f 0644 0 0"
	done
} > "$work/list"

"$work/gen_init_cpio" "$work/list" | gzip -9 -n > "$out.tmp"
mv "$out.tmp" "$out"
echo "build-initramfs: $out ($(stat -c %s "$out") bytes)"
