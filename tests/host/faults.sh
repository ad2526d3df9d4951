# Faults, each ending in a state this test checks:
#  - vmcompactd killed (SIGKILL) in the middle of a balloon cycle, after
#    the guest emptied and held its blocks and before the balloon took
#    them all (--floor-mib keeps the balloon to a few): the guest's agent
#    holds blocks nobody uses.  The next vmcompactd's first cycle of the
#    VM gives them back: afterwards every block the guest holds is one
#    the balloon has (a probe of every block of RAM says which are held);
#  - the QEMU of a VM under a running daemon killed: the daemon's cycles
#    of it fail, its open descriptors come back to what they were, and
#    ASan/LSan find nothing at exit (tests/host/vmcompactd.sh and
#    libvirt.sh cover QEMU exit and libvirtd restarts otherwise).
source "$(dirname "$0")/../lib.sh"
source "$root/tests/host/lib/daemon.sh"

vm_start f --payload fragmented --timeout 1500
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

# QEMU killed under a running daemon: descriptors back to what they were.
"$daemon" --vm-dir "$run/f" --interval 1 --settle 1 > "$run/c.jsonl" 2> "$run/c.err" &
dpid=$!
for _ in $(seq 1 100); do grep -q '"cycle":2' "$run/c.jsonl" && break; sleep 0.2; done
fds() { local n m=1000; for _ in 1 2 3 4 5; do n=$(ls /proc/$dpid/fd | wc -l); [ $n -lt $m ] && m=$n; sleep 0.3; done; echo $m; }
before=$(fds)
kill -KILL "$(cat "$run/f/qemu.pid")"
n=$(grep -c . "$run/c.jsonl")
for _ in $(seq 1 100); do [ "$(grep -c '"error":"agent' "$run/c.jsonl")" -ge 3 ] && break; sleep 0.3; done
after=$(fds)
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
cat "$run/a.err" "$run/b.err" "$run/c.err" > "$run/daemon.err"
# The first daemon was killed: only the others' exits are looked at.
sanitizer_clean "$run/daemon.err" faults-sanitizers
