# Pageblock migratetypes and free page counters across the range vacate
# (tests/guest/payloads/migratetypes.sh, booted with cma=64M): blocks that a
# FREE fails to empty keep their type, emptied ones are MIGRATE_MOVABLE, CMA
# and HighAtomic blocks are refused and keep theirs, the second block of a
# free order-10 page can be held, and NR_FREE_PAGES and CmaFree agree with the
# map's free pages after each step (also with anonymous memory in the CMA
# area), and a cheapest request is bounded by the free pages that it counts
# on (not those of held, CMA or HighAtomic blocks).  The CMA checks SKIP on
# a guest kernel without CONFIG_CMA.
source "$(dirname "$0")/../lib.sh"

vm_start m --payload migratetypes --append "cma=64M" --timeout 1200
if ! vm_wait_for m "vmcompact-migratetypes: done" 900; then
	vm_guest_results m "migratetypes-"
	fail "migratetypes-guest: the payload did not finish"
	exit 1
fi
vm_console m | grep -a '^migratetypes: '
vm_guest_results m "migratetypes-"
vm_clean_log_quoted m migratetypes-clean-log "$KERNEL_REPORT_RE|invoked oom-killer"
