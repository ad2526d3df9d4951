# Files unlinked while open on a frozen ext2, their holders gone while
# the inode callbacks of a vacate could hold them
# (tests/guest/payloads/freeze-unlinked.sh): the vacate and the thaw
# finish, the files are as they should be, fsck finds nothing.
source "$(dirname "$0")/../lib.sh"
truncate -s 64M "$run/fu.img"
mkfs.ext2 -q -F "$run/fu.img"
vm_start fu --payload freeze-unlinked --disk "$run/fu.img" --timeout 600
if ! vm_wait_for fu "vmcompact-freeze-unlinked: done" 500; then
	fail "freeze-unlinked-finished: the payload did not finish"
	exit 0
fi
vm_guest_results fu ""
vm_kill_all
if e2fsck -fn "$run/fu.img" > "$run/fu.fsck" 2>&1; then
	pass "freeze-unlinked-fsck"
else
	fail "freeze-unlinked-fsck: e2fsck found errors: $(tail -n 5 "$run/fu.fsck" | tr '\n' ' ')"
fi
vm_clean_log fu freeze-unlinked-clean-log \
	"$KERNEL_REPORT_RE|Call Trace"
