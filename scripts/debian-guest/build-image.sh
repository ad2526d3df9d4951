#!/bin/bash
# Stage 2 of the Debian 12 guest image: build/guest/debian.img, a raw ext4
# file system (sparse, 4 GiB) for /dev/vda, made with `mkfs.ext4 -d` from
# the stage 1 root file system (build-rootfs.sh, run first if needed) plus
# the project's files:
#   /lib/modules/VERSION          the guest kernel's modules (build/guest/modules)
#   /usr/local/sbin/vmcompact-agent, vacatectl, the agent's unit and udev
#                                 rule (make install-guest: guest-agent/)
#   /usr/local/bin/vmc-*          the other static guest programs
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

# What the cbuild workload builds the agent and vacatectl from: the
# project's build files (userspace.mk includes every build.mk) and sources.
srcs=(userspace.mk debian/changelog include virtio-proto lib guest-agent guest-tools
      host-agent tests/unit/build.mk tests/fuzz/build.mk)
stamp=$({
	cat "$g/debian/rootfs.stamp" "$here/build-image.sh" "$root/userspace.mk" \
		"$root/guest-agent/vmcompact-agent.service.in" \
		"$root/guest-agent/60-vmcompact-agent.rules"
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
# The agent, vacatectl, the agent's unit and udev rule, as the
# vmcompact-guest package installs them (under /usr/local here); the
# other guest tools next to them.
make -s -C "$root" install-guest DESTDIR="$stage" PREFIX=/usr/local \
	UNITDIR=/etc/systemd/system UDEVRULESDIR=/etc/udev/rules.d
for f in "$g"/bin/*; do
	case "$(basename "$f")" in
	vmcompact-agent|vacatectl) ;;
	*) install -m 0755 "$f" "$stage/usr/local/bin/" ;;
	esac
done
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
