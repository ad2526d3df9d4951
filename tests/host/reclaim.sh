# Targeted reclaim of dentries and ext2 inodes by the range vacate, on a
# real ext2 disk (tests/guest/payloads/reclaim.sh).
source "$(dirname "$0")/../lib.sh"

truncate -s 512M "$run/disk.img"
mkfs.ext2 -q -F -N 40000 "$run/disk.img"
vm_start r --payload reclaim --disk "$run/disk.img" --timeout 900
if ! vm_wait_for r "vmcompact-reclaim: done" 600; then
	fail "reclaim-guest: the payload did not finish"
	exit 1
fi
vm_guest_results r ""
vm_clean_log r reclaim-clean-log "BUG:|WARNING:|Oops|VFS: Busy inodes"
