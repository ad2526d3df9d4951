# Moving objects and holding blocks never calls the OOM killer
# (tests/guest/payloads/oom.sh): vacating the slabs of a memory cgroup's
# objects at its memory.max leaves its process alive and its objects in
# place; HOLD of more blocks than the guest can spare fails the excess
# with ENOMEM.  The console must show no OOM report either.
source "$(dirname "$0")/../lib.sh"

vm_start o --payload oom --timeout 1200
if ! vm_wait_for o "vmcompact-oom: done" 900; then
	vm_guest_results o "oom-"
	fail "oom-guest: the payload did not finish"
	exit 1
fi
vm_console o | grep -a '^oom: '
vm_guest_results o "oom-"
vm_clean_log_quoted o oom-clean-log "$KERNEL_REPORT_RE|invoked oom-killer|Out of memory"
