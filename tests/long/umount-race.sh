# Unmount races (tests/host/umount-race.sh) on each debug kernel, for
# UMOUNT_RACE_SECS (default 150) each: KASAN and lockdep watch the
# dentry and inode callbacks while umount runs under them.  Objects stay
# isolated for UMOUNT_RACE_DELAY_MS (default 1000) before they move:
# without the superblock pins of isolate(), an inode held so across an
# umount that dropped the caches first is "Busy" there, and its move
# faults on the freed superblock's LRU (2 of 2 runs of 300 s).
source "$(dirname "$0")/../host/umount-race.sh"
export UMOUNT_RACE_DELAY_MS=${UMOUNT_RACE_DELAY_MS:-1000}
for k in debug debug-slub; do
	umount_race_test "ur-$k" "${UMOUNT_RACE_SECS:-150}" "$k-" \
		--kernel "$root/build/guest/bzImage-$k"
done
