# Repeated vacates in every mode with data checked each time
# (tests/guest/payloads/repeat.sh).
source "$(dirname "$0")/../lib.sh"

truncate -s 512M "$run/disk.img"
mkfs.ext2 -q -F -N 20000 "$run/disk.img"
vm_start r --payload repeat --disk "$run/disk.img" --timeout 1200
if ! vm_wait_for r "vmcompact-repeat: done" 900; then
	fail "repeat-guest: the payload did not finish"
	exit 1
fi
vm_guest_results r ""
vm_clean_log r repeat-clean-log "BUG:|WARNING:|Oops|VFS: Busy inodes"
