#!/bin/bash
# Stage 1 of the Debian 12 guest image: the root file system from Debian's
# packages (mmdebstrap, minbase + scripts/debian-guest/packages), the .debs
# of the package-churn workload (churn-packages, and what they need that
# the image lacks: downloaded, not installed) and the git repository of the
# git workload.  Into build/guest/debian/rootfs; slow (network, dpkg), so it
# is made once per machine and redone only when its inputs change.  Stage 2
# (build-image.sh) adds the project's files and makes the disk image.
#
#   DEBIAN_MIRROR   (default http://deb.debian.org/debian)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$root/build/guest/debian
rootfs=$out/rootfs
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
suite=bookworm

die() { echo "debian-rootfs: $*" >&2; exit 1; }
list() { sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$1" | tr '\n' ' '; }
command -v mmdebstrap > /dev/null || die "mmdebstrap missing: run 'make deps'"
[ "$(id -u)" = 0 ] || die "needs root (mmdebstrap's root mode, file owners in the image)"

stamp=$({ cat "$here/packages" "$here/churn-packages" "$here/build-rootfs.sh" \
	"$here/make-git-repo.py"; echo "$mirror $suite"; } | sha256sum | cut -d' ' -f1)
if [ -d "$rootfs" ] && [ "$(cat "$out/rootfs.stamp" 2>/dev/null)" = "$stamp" ]; then
	echo "debian-rootfs: $rootfs is up to date"
	exit 0
fi

start=$SECONDS
rm -rf "$rootfs" "$out/rootfs.stamp"
mkdir -p "$out"
pkgs=$(list "$here/packages" | tr ' ' ',' | sed 's/,$//')
churn=$(list "$here/churn-packages")
debs=/var/cache/vmcompact/debs

# Hooks run on the host; APT_CONFIG=$MMDEBSTRAP_APT_CONFIG points the host's
# apt at the new system, so the churn packages resolve against what it has.
mmdebstrap --mode=root --variant=minbase --include="$pkgs" \
	--customize-hook="mkdir -p \"\$1$debs/partial\"" \
	--customize-hook="APT_CONFIG=\$MMDEBSTRAP_APT_CONFIG apt-get install -y -qq --download-only --no-install-recommends \
		-o Dir::Cache::archives=\"\$1$debs\" $churn" \
	--customize-hook="rm -rf \"\$1$debs/partial\" \"\$1$debs/lock\"" \
	"$suite" "$rootfs" "deb $mirror $suite main" ||
	die "mmdebstrap failed"

ls "$rootfs$debs"/*.deb > /dev/null 2>&1 || die "no churn .debs were downloaded"

# Configuration of a guest with no network and a root on /dev/vda.
echo "/dev/vda / ext4 rw,errors=remount-ro 0 1" > "$rootfs/etc/fstab"
echo vmcguest > "$rootfs/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 vmcguest\n' > "$rootfs/etc/hosts"
# A fixed machine id: every boot of the (copied) image is not a first boot.
echo 5e1f1e5ca1ab1e0fdeb1a9e0c0decafe > "$rootfs/etc/machine-id"
# Persistent journal, as on installed systems.
mkdir -p "$rootfs/var/log/journal"
# No timers that reach for the network or scrub disks in the middle of a
# measurement.
for t in apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer; do
	ln -sf /dev/null "$rootfs/etc/systemd/system/$t"
done
# Root logs in on the serial console without a password (debugging only).
sed -i 's/^root:[^:]*:/root::/' "$rootfs/etc/shadow"

mkdir -p "$rootfs/srv/git"
"$here/make-git-repo.py" "$rootfs/srv/git/churn.git"

echo "$stamp" > "$out/rootfs.stamp"
echo "debian-rootfs: $rootfs ($(du -sm "$rootfs" | cut -f1) MiB, $(ls "$rootfs$debs" | wc -l) churn debs) in $((SECONDS - start)) s"
