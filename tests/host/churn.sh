# Workingset shadow nodes moved by the range vacate
# (tests/guest/payloads/churn.sh): a 1400 MiB file in a 1 GiB guest.
source "$(dirname "$0")/../lib.sh"

truncate -s 2G "$run/disk.img"
mkfs.ext2 -q -F "$run/disk.img"
vm_start c --mem 1024 --payload churn --disk "$run/disk.img" --timeout 1800 --no-page-reporting
if ! vm_wait_for c "vmcompact-churn: done" 1500; then
	fail "churn-guest: the payload did not finish"
	exit 1
fi
grep -a '^churn: ' "$run/c/console.log" | tr -d '\r'
vm_guest_results c ""
vm_clean_log c churn-clean-log "BUG:|WARNING:|Oops|Bad page"
