# Lock scope of the range vacate (tests/guest/payloads/vacate-locks.sh):
# callbacks that create a cache or take a cpu offline must not deadlock.
# One guest per hook, both at once.
source "$(dirname "$0")/../lib.sh"
for hook in 1 2; do
	vm_start locks$hook --payload vacate-locks --timeout 600 --append "vmc.hook=$hook"
done
for hook in 1 2; do
	if ! vm_wait_for locks$hook "vmcompact-vacate-locks: done" 300; then
		fail "vacate-locks-hook$hook-guest: the payload did not finish"
		continue
	fi
	vm_guest_results locks$hook ""
	vm_clean_log locks$hook vacate-locks-clean-log-$hook "$KERNEL_REPORT_RE"
done
