# Faults, each ending in a state this test checks:
#  - vmcompactd killed (SIGKILL) in the middle of a balloon cycle, after
#    the guest emptied and held its blocks and before the balloon took
#    them all (--floor-mib keeps the balloon to a few): the guest's agent
#    holds blocks nobody uses.  The next vmcompactd's first cycle of the
#    VM gives them back: afterwards every block the guest holds is one
#    the balloon has (a probe of every block of RAM says which are held);
#  - the guest reset (QMP system_reset) in the middle of a cycle: while
#    its agent holds the blocks of a HOLD, while the balloon inflates by
#    them, and while it empties blocks for free page reporting.  The
#    daemon ends the cycle at the reset, saying so, instead of waiting for
#    an answer the reset guest will never send; once the guest is back,
#    the daemon's next cycle of it succeeds, every block the guest holds
#    is the balloon's, the daemon has as many descriptors open as before
#    and ASan/LSan find nothing at its exit;
#  - the QEMU of a VM under a running daemon killed: the daemon's cycles
#    of it fail, its open descriptors come back to what they were, and
#    ASan/LSan find nothing at exit (tests/host/vmcompactd.sh and
#    libvirt.sh cover QEMU exit and libvirtd restarts otherwise).
source "$(dirname "$0")/../lib.sh"
source "$root/tests/host/lib/daemon.sh"

# A QMP monitor of the test's own: the daemon holds the other in its cycles.
vm_start f --payload fragmented --timeout 1500 -- \
	-qmp "unix:$run/f/test-qmp.sock,server=on,wait=off"
ready f faults-guest
sock=$run/f/vmc.sock
balloon_mib() { vm_qmp f '{"execute":"query-balloon"}' | sed -n 's/.*"actual": *\([0-9]*\).*/\1/p' | awk '{ print int($1 / 1048576) }'; }
# The daemon, killed once the guest holds the blocks of its cycle: the
# status poller runs before the daemon starts, or a loaded machine could
# start it after the whole cycle.
python3 - "$ctl" "$run/control.sock" "$run/polling" 2> "$run/steps" <<'PY' &
import json, subprocess, sys, time
ctl, sock, ready = sys.argv[1:]
open(ready, "w").close()
since = None
for _ in range(3000):
    out = subprocess.run([ctl, "status", "--control", sock, "--json"], capture_output=True, text=True).stdout
    vms = json.loads(out)["vms"] if out else []
    step = vms[0]["step"] if vms else ""
    print("%.3f %s" % (time.time(), step), file=sys.stderr)
    if step == "vacate" and since is None:
        since = time.time()
    # The request is in the guest's hands after a moment; the balloon
    # steps come after the blocks are held.
    if (step == "vacate" and time.time() - since > 0.1) or step.startswith("balloon"):
        sys.exit(0)
    time.sleep(0.02)
sys.exit(1)
PY
poller=$!
for _ in $(seq 1 100); do [ -e "$run/polling" ] && break; sleep 0.1; done
"$daemon" --vm-dir "$run/f,return=balloon" --blocks 128 --floor-mib 1000 \
	--interval 3600 --control "$run/control.sock" > "$run/a.jsonl" 2> "$run/a.err" &
dpid=$!
wait $poller
step=$?
kill -KILL $dpid
wait $dpid 2> /dev/null
held=$(held_blocks "$sock") balloon=$(balloon_mib)
echo "killed in a cycle (status $step): $held blocks held, balloon at $balloon MiB"

# The next daemon: one cycle, which only looks (no block is worth it).
"$daemon" --once --vm-dir "$run/f,return=balloon" --min-blocks 512 \
	> "$run/b.jsonl" 2> "$run/b.err"
held2=$(held_blocks "$sock") balloon2=$(balloon_mib)
# Every held block is the balloon's (whose blocks are 2 MiB each).
[ "$step" = 0 ] && [ "$held" -gt $(( (1024 - balloon) / 2 )) ] &&
	[ "$held2" -le $(( (1024 - balloon2) / 2 + 1 )) ]
if [ $? = 0 ]; then
	pass "faults-daemon-killed-mid-cycle ($held blocks held after the kill with the balloon at $balloon MiB; $held2 after the next daemon's cycle, balloon at $balloon2 MiB)"
else
	fail "faults-daemon-killed-mid-cycle: status poll $step (last seen: $(tail -n 1 "$run/steps")); $held blocks held with the balloon at $balloon MiB, $held2 after, balloon $balloon2 MiB; $(tail -n 1 "$run/b.jsonl")"
fi

# The descriptors process $1 has open (the fewest of five looks: the
# loop closes a descriptor once its last operation completes).
fds() { local n m=1000; for _ in 1 2 3 4 5; do n=$(ls /proc/$1/fd | wc -l); [ $n -lt $m ] && m=$n; sleep 0.3; done; echo $m; }
# cycle_line LOG N: the log line of cycle N, once it is there.
cycle_line() { for _ in $(seq 1 300); do grep "\"cycle\":$2," "$1" && return; sleep 0.5; done; }
readies() { vm_console f | grep -ac 'vmcompact-fragmented: ready'; }

# reset_in TEST STEP CONTROL LOG: reset the guest when the daemon on
# CONTROL (its cycles in LOG) is at STEP of a cycle of f; then check that
# the cycle ended at the reset, and, once the guest is back, that its
# balloon is at the target the cycle set if it set one (QEMU keeps the
# target over a reset), the next cycle, and the blocks the guest holds.
reset_in() {
	local test=$1 step=$2 control=$3 log=$4 n cycle line target next held balloon
	n=$(readies)
	cycle=$(python3 "$root/tests/host/lib/reset-mid-cycle.py" "$control" f \
		"$step" qmp "$run/f/test-qmp.sock" 2> "$run/reset.err")
	if [ -z "$cycle" ]; then
		fail "$test: $(tail -n 1 "$run/reset.err")"
		return
	fi
	line=$(cycle_line "$log" "$cycle")
	if ! grep -q "\"error\":\"the guest reset during $step\"" <<<"$line"; then
		fail "$test: cycle $cycle: ${line:-no line in 150 s, the daemon still at $("$ctl" status --control "$control" --json | grep -o '"step":"[a-z-]*"')}"
		return
	fi
	for _ in $(seq 1 600); do [ "$(readies)" -gt "$n" ] && break; sleep 0.5; done
	if [ "$(readies)" -le "$n" ]; then
		fail "$test: the guest did not come back after the reset"
		return
	fi
	target=$(sed -n 's/.*"balloon_target_mib":\([0-9]*\).*/\1/p' <<<"$line")
	for _ in $(seq 1 120); do
		balloon=$(balloon_mib)
		[ -z "$target" ] || [ "$balloon" = "$target" ] && break
		sleep 0.5
	done
	if [ -n "$target" ] && [ "$balloon" != "$target" ]; then
		fail "$test: the balloon of the guest back at $balloon MiB, not the $target MiB that cycle $cycle set"
		return
	fi
	"$ctl" cycle --control "$control" --vm f > /dev/null
	next=$(cycle_line "$log" $((cycle + 1)))
	held=$(held_blocks "$sock") balloon=$(balloon_mib)
	grep -q '"error":null' <<<"$next" && [ "$held" -le $(( (1024 - balloon) / 2 + 1 )) ]
	if [ $? = 0 ]; then
		pass "$test (cycle $cycle ended at the reset${target:+, the guest back with the balloon at its target of $target MiB}; the next emptied $(sed 's/.*"done":\([0-9]*\).*/\1/' <<<"$next") blocks; then $held blocks held, balloon at $balloon MiB)"
	else
		fail "$test: the cycle after the reset: ${next:-no line in 150 s}; $held blocks held with the balloon at $balloon MiB"
	fi
}

# rebooted PID BEFORE TEST: the daemon PID has no more descriptors open
# than BEFORE, and exits well on SIGTERM.
rebooted() {
	local after rc
	after=$(fds "$1")
	kill -TERM "$1"
	wait "$1"
	rc=$?
	[ "$after" -le "$2" ] && [ $rc = 0 ]
	if [ $? = 0 ]; then
		pass "$3 ($2 descriptors open before the resets, $after after)"
	else
		fail "$3: $2 descriptors open before the resets, $after after; exit $rc"
	fi
}

# A guest reset in cycles that return blocks by the balloon; what the
# daemon says it returned is no more than the balloon took meanwhile.
start=$(balloon_mib)
"$daemon" --vm-dir "$run/f,return=balloon" --blocks 16 --floor-mib 700 \
	--interval 3600 --control "$run/r.sock" > "$run/r.jsonl" 2> "$run/r.err" &
dpid=$!
cycle_line "$run/r.jsonl" 1 > /dev/null
before=$(fds $dpid)
reset_in faults-reset-mid-hold vacate "$run/r.sock" "$run/r.jsonl"
reset_in faults-reset-mid-balloon balloon-wait "$run/r.sock" "$run/r.jsonl"
returned=$("$ctl" status --control "$run/r.sock" --json | sed -n 's/.*"returned_mib":\([0-9]*\).*/\1/p')
end=$(balloon_mib)
if [ "${returned:-0}" -le $((start - end)) ]; then
	pass "faults-reset-balloon-counted (the daemon says $returned MiB returned; the balloon went $start -> $end MiB)"
else
	fail "faults-reset-balloon-counted: the daemon says ${returned:-?} MiB returned, the balloon went $start -> $end MiB"
fi
rebooted $dpid "$before" faults-reset-balloon-daemon

# And in a cycle that leaves them to free page reporting.
"$daemon" --vm-dir "$run/f" --blocks 64 --interval 3600 \
	--control "$run/s.sock" > "$run/s.jsonl" 2> "$run/s.err" &
dpid=$!
cycle_line "$run/s.jsonl" 1 > /dev/null
before=$(fds $dpid)
reset_in faults-reset-mid-free vacate "$run/s.sock" "$run/s.jsonl"
rebooted $dpid "$before" faults-reset-free-daemon

# QEMU killed under a running daemon: descriptors back to what they were.
"$daemon" --vm-dir "$run/f" --interval 1 --settle 1 > "$run/c.jsonl" 2> "$run/c.err" &
dpid=$!
for _ in $(seq 1 100); do grep -q '"cycle":2' "$run/c.jsonl" && break; sleep 0.2; done
before=$(fds $dpid)
kill -KILL "$(cat "$run/f/qemu.pid")"
n=$(grep -c . "$run/c.jsonl")
for _ in $(seq 1 100); do [ "$(grep -c '"error":"agent' "$run/c.jsonl")" -ge 3 ] && break; sleep 0.3; done
after=$(fds $dpid)
kill -TERM $dpid
wait $dpid
rc=$?
errors=$(grep -c '"error":"agent' "$run/c.jsonl")
[ "$errors" -ge 3 ] && [ "$after" -le "$before" ] && [ $rc = 0 ]
if [ $? = 0 ]; then
	pass "faults-qemu-killed ($errors failed cycles; $before descriptors open before, $after after)"
else
	fail "faults-qemu-killed: $errors failed cycles; $before descriptors before, $after after; exit $rc"
fi
cat "$run/a.err" "$run/b.err" "$run/r.err" "$run/s.err" "$run/c.err" > "$run/daemon.err"
# The first daemon was killed: only the others' exits are looked at.
sanitizer_clean "$run/daemon.err" faults-sanitizers
