#!/bin/bash
# Stage 2 of the Debian 12 guest image: build/guest/debian.img, a raw ext4
# file system (sparse, 4 GiB) for /dev/vda, made with `mkfs.ext4 -d` from
# the stage 1 root file system (build-rootfs.sh, run first if needed) plus
# the project's files:
#   /lib/modules/VERSION          the guest kernel's modules (build/guest/modules)
#   /usr/local/sbin/vmcompact-agent, /usr/local/bin/vacatectl, vmc-*
#                                 the static guest programs (build/guest/bin)
#   vmcompact-agent.service, 60-vmcompact-agent.rules
#                                 INTERIM unit and udev rule (this directory),
#                                 until the packaged ones land
#   /usr/local/lib/vmcompact/workloads   tests/guest/workloads
#   /usr/local/src/vmcompact      the C sources the cbuild workload builds
# and build/guest/empty.cpio, the initrd for vm-run (the kernel then mounts
# root=/dev/vda itself).  Seconds; redone when any of these changes.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
g=$root/build/guest
out=$g/debian.img
stage=$g/debian/stage
size=${DEBIAN_IMAGE_SIZE:-4G}

die() { echo "debian-image: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (file owners in the image)"
for f in vmcompact-agent vacatectl; do
	[ -x "$g/bin/$f" ] || die "$g/bin/$f missing: run 'make all'"
done
[ -d "$g/modules/lib/modules" ] || die "$g/modules missing: run 'make kernel' (with CONFIG_MODULES=y)"

"$here/build-rootfs.sh"

srcs=(include virtio-proto guest-agent guest-tools host-agent)
stamp=$({
	cat "$g/debian/rootfs.stamp" "$here/build-image.sh" "$here/vmcompact-agent.service" \
		"$here/60-vmcompact-agent.rules"
	echo "$size"
	find "$g/modules" "$g/bin" "$root/tests/guest/workloads" -type f -printf '%P %s %T@\n' | sort
	(cd "$root" && find "${srcs[@]}" -type f -printf '%p %s %T@\n' | sort)
} | sha256sum | cut -d' ' -f1)
if [ -f "$out" ] && [ -f "$g/empty.cpio" ] && [ "$(cat "$out.stamp" 2>/dev/null)" = "$stamp" ]; then
	echo "debian-image: $out is up to date"
	exit 0
fi

start=$SECONDS
rm -rf "$stage"
# Hard links: the stage costs no copy.  Files of the root file system are
# never written in place below, only added (or removed and written anew).
cp -al "$g/debian/rootfs" "$stage"

cp -a "$g/modules/lib/modules/." "$stage/lib/modules/"
for v in "$stage"/lib/modules/*/; do
	depmod -b "$stage" "$(basename "$v")"
done
install -m 0755 "$g/bin/vmcompact-agent" "$stage/usr/local/sbin/vmcompact-agent"
for f in "$g"/bin/*; do
	[ "$(basename "$f")" = vmcompact-agent ] || install -m 0755 "$f" "$stage/usr/local/bin/"
done
install -m 0644 "$here/vmcompact-agent.service" "$stage/etc/systemd/system/vmcompact-agent.service"
install -m 0644 "$here/60-vmcompact-agent.rules" "$stage/etc/udev/rules.d/60-vmcompact-agent.rules"
mkdir -p "$stage/usr/local/lib/vmcompact"
cp -a "$root/tests/guest/workloads" "$stage/usr/local/lib/vmcompact/workloads"
mkdir -p "$stage/usr/local/src/vmcompact"
(cd "$root" && cp -a --parents "${srcs[@]}" "$stage/usr/local/src/vmcompact/")
rm -rf "$stage/usr/local/src/vmcompact/build"

rm -f "$out.tmp"
truncate -s "$size" "$out.tmp"
mkfs.ext4 -q -F -L vmcroot -d "$stage" "$out.tmp"
e2fsck -fn "$out.tmp" > "$g/debian/e2fsck.log" 2>&1 || die "e2fsck of the new image failed: $g/debian/e2fsck.log"
mv "$out.tmp" "$out"
echo "$stamp" > "$out.stamp"
rm -rf "$stage"

# An initrd with nothing in it: no /init, so the kernel mounts root= itself.
: | cpio -o -H newc --quiet > "$g/empty.cpio"
echo "debian-image: $out ($(du -m "$out" | cut -f1) MiB used of $size) in $((SECONDS - start)) s"
