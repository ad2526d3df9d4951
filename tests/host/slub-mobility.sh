# Slab object mobility driven from user space in a guest: debugfs test
# cache, sysfs ops/defrag_used_ratio/shrink, memcg charges kept across
# moves (tests/guest/payloads/mobility.sh).
source "$(dirname "$0")/../lib.sh"

vm_start m --payload mobility --timeout 900
if ! vm_wait_for m "vmcompact-mobility: done" 600; then
	fail "mobility-guest: the payload did not finish"
	exit 1
fi
vm_guest_results m "mobility-"
vm_clean_log m mobility-clean-log "$KERNEL_REPORT_RE"
