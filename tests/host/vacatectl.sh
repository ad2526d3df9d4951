# vacatectl in a guest: map, probe, bad requests, FREE, HOLD, the census
# and the mobile test cache (tests/guest/payloads/vacatectl.sh), its map
# against the one vmcompactctl reads through the agent, that every walk
# over memory rescheduled (vacate_resched.check=1), and a clean kernel
# log.
source "$(dirname "$0")/../lib.sh"
ctl=$root/build/host/vmcompactctl

vm_start v --payload vacatectl --timeout 900 --append vacate_resched.check=1
if ! vm_wait_for v "vmcompact-vacatectl: done" 600; then
	vm_guest_results v "vacatectl-"
	fail "vacatectl-guest: the payload did not finish"
	exit 1
fi
vm_guest_results v "vacatectl-"

# The lines of the map that do not change from one moment to the next
# (the picture rows do: pages come and go between the two reads).
vm_wait_for v "^vctl-map: blocks described" 60 > /dev/null
vm_console v | grep -a '^vctl-map: ' | sed 's/^vctl-map: //' > "$run/guest-map.txt"
"$ctl" map --socket "$run/v/vmc.sock" 2>&1 |
	grep -E '^(guest RAM|legend|  |blocks described)' | grep -v ' MiB |' > "$run/host-map.txt"
if [ -s "$run/guest-map.txt" ] && cmp -s "$run/guest-map.txt" "$run/host-map.txt"; then
	pass "vacatectl-map-like-vmcompactctl ($(head -n 1 "$run/guest-map.txt"))"
else
	fail "vacatectl-map-like-vmcompactctl: $(diff "$run/guest-map.txt" "$run/host-map.txt" | head -8 | tr '\n' '|')"
fi

vm_clean_log v vacatectl-clean-log "$KERNEL_REPORT_RE"
