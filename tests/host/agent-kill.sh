# The guest agent killed (SIGKILL, in the guest) in the middle of a
# vacate that holds blocks (tests/guest/payloads/agent-kill.sh kills it
# once it is inside the ioctl, and starts it again): the host's request
# fails, and afterwards the guest holds no block (the kernel gave back
# what the dead agent's file held), its files are intact, its kernel
# log clean.
source "$(dirname "$0")/../lib.sh"
source "$root/tests/host/lib/daemon.sh"
vm_start k --payload agent-kill --timeout 1500
ready k agent-kill-guest
sock=$run/k/vmc.sock

"$ctl" vacate --socket "$sock" --cheapest all --mode hold --vacate-timeout 20 \
	> "$run/hold.out" 2> "$run/hold.err"
rc=$?
vm_wait_for k "agent-kill: started again" 60 > /dev/null
killed=$(vm_console k | sed -n 's/^agent-kill: killed in //p')
# Every block of RAM without holes, probed: none is held.
for _ in $(seq 1 20); do "$ctl" hello --socket "$sock" > /dev/null 2>&1 && break; sleep 0.5; done
held=$(held_blocks "$sock")
[ $rc = 1 ] && [ -n "$killed" ] && [ "$held" = 0 ]
if [ $? = 0 ]; then
	pass "agent-kill-nothing-held (killed in ioctl $killed; the host's vacate failed: $(head -c 120 "$run/hold.err"); $held blocks held after)"
else
	fail "agent-kill-nothing-held: vacate rc $rc, killed in '${killed:-nothing}', $held blocks held after; $(head -c 300 "$run/hold.err")"
fi
vm_fragmented_intact k agent-kill-files-intact
vm_clean_log k agent-kill-clean-log "$KERNEL_REPORT_RE"
