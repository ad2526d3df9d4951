# Unmount races (tests/host/umount-race.sh) on each debug kernel, for
# UMOUNT_RACE_SECS (default 150) each: KASAN and lockdep watch the
# dentry and inode callbacks while umount runs under them.
source "$(dirname "$0")/../host/umount-race.sh"
for k in debug debug-slub; do
	umount_race_test "ur-$k" "${UMOUNT_RACE_SECS:-150}" "$k-" \
		--kernel "$root/build/guest/bzImage-$k"
done
