# One hostile VM beside a good one.  The hostile "guest" is a fake agent
# (tests/host/lib/fake-agent.py overlap) that answers HELLO and then
# streams overlapping fake frame headers (a magic every 8 bytes, each
# claiming 64 KiB): a parser that rescans costs a 64 KiB crc per 8 bytes.
# The good guest is a real TCG guest (tests/guest/payloads/fragmented.sh).
#
# vmcompactd (ASan + UBSan) runs twice, its cycles probe-only
# (--min-blocks 512, so every cycle does the same work): first with the
# good VM alone, then with both.  Against the first run, in the second:
#  - every cycle of the hostile VM ends in the daemon hanging up on it;
#  - the good VM's cycles all succeed, their median time at most 3 times
#    what it was alone;
#  - the daemon's CPU per second of wall time at most 4 times what it was
#    alone (the rescanning parser used a whole CPU);
# and then, the hostile VM still there, the good guest gives 16 MiB back
# as whole blocks (vmcompactctl reclaim), and its files are intact.
source "$(dirname "$0")/../lib.sh"
source "$root/tests/host/lib/daemon.sh"

vm_start g --payload fragmented --timeout 1500
ready g hostile-guest
fake_agent evil overlap

# run NAME VMS...: the daemon until the good VM has had 4 cycles; its
# lines in $run/NAME.jsonl, "CPU_MS WALL_MS" in $run/NAME.cpu.
run() {
	local name=$1 start n; shift
	start=$(date +%s%N)
	"$daemon" --interval 1 --settle 0 --min-blocks 512 --control "$run/$name.sock" "$@" \
		> "$run/$name.jsonl" 2> "$run/$name.err" &
	local pid=$!
	for _ in $(seq 1 600); do
		n=$(grep -c '"vm":"g"' "$run/$name.jsonl")
		[ "$n" -ge 4 ] && break
		sleep 0.1
	done
	echo "$(cpu_ms $pid) $(( ($(date +%s%N) - start) / 1000000 ))" > "$run/$name.cpu"
	[ "$name" = both ] && "$ctl" reclaim --control "$run/$name.sock" --vm g --mib 16 \
		--json > "$run/reclaim.json" 2> "$run/reclaim.err"
	kill -TERM $pid
	wait $pid
}
good="--vm g,agent=$run/g/vmc.sock,qmp=$run/g/qmp.sock,pidfile=$run/g/qemu.pid"
run alone $good
run both $good --vm "evil,agent=$run/evil.sock,pidfile=$run/evil.sock.pid"

python3 - "$run" > "$run/figures" <<'PY'
import json, statistics, sys
run = sys.argv[1]
def lines(name, vm):
    return [json.loads(l) for l in open(f"{run}/{name}.jsonl") if f'"vm":"{vm}"' in l]
def cpu(name):
    c, w = map(int, open(f"{run}/{name}.cpu").read().split())
    return c, w
alone, both, evil = lines("alone", "g")[:4], lines("both", "g")[:4], lines("both", "evil")
ca, wa = cpu("alone"); cb, wb = cpu("both")
print("good_errors", sum(1 for l in both if l["error"]))
print("good_median_alone_ms", statistics.median(l["ms"] for l in alone))
print("good_median_both_ms", statistics.median(l["ms"] for l in both))
print("evil_cycles", len(evil))
print("evil_hung_up", sum(1 for l in evil if "bytes that make no frame" in (l["error"] or "")))
print("cpu_alone_ms", ca, "wall_alone_ms", wa)
print("cpu_both_ms", cb, "wall_both_ms", wb)
PY
fig() { sed -n "s/^$1 \([0-9.]*\).*/\1/p" "$run/figures"; }
figures=$(tr '\n' ' ' < "$run/figures")
evil_cycles=$(fig evil_cycles) hung=$(fig evil_hung_up)
[ "${evil_cycles:-0}" -ge 1 ] && [ "$hung" = "$evil_cycles" ]
if [ $? = 0 ]; then pass "hostile-hung-up ($hung of $evil_cycles cycles)"; else fail "hostile-hung-up: $figures $(grep evil "$run/both.jsonl" | head -n 2)"; fi

python3 -c 'import sys; a, b = map(float, sys.argv[1:]); sys.exit(0 if b <= 3 * a else 1)' \
	"$(fig good_median_alone_ms)" "$(fig good_median_both_ms)" && [ "$(fig good_errors)" = 0 ]
if [ $? = 0 ]; then
	pass "hostile-good-cycle-unaffected (median $(fig good_median_alone_ms) ms alone, $(fig good_median_both_ms) ms beside the hostile VM)"
else
	fail "hostile-good-cycle-unaffected: $figures"
fi

read -r ca wa < "$run/alone.cpu"; read -r cb wb < "$run/both.cpu"
# CPU per wall second beside the hostile VM, against alone: at most 4x.
if [ $((cb * wa)) -le $((4 * ca * wb)) ]; then
	pass "hostile-daemon-cpu-bounded ($cb ms CPU in $wb ms beside the hostile VM, $ca ms in $wa ms alone)"
else
	fail "hostile-daemon-cpu-bounded: $cb ms CPU in $wb ms beside the hostile VM, $ca ms in $wa ms alone"
fi

python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert r["error"] is None and r["done"] > 0 and r["returned_mib"] >= 2 * r["done"], r
print("%d blocks emptied, %d MiB returned" % (r["done"], r["returned_mib"]))
' "$run/reclaim.json" > "$run/reclaim.out" 2>&1
if [ $? = 0 ]; then pass "hostile-good-guest-reclaims ($(cat "$run/reclaim.out"))"; else fail "hostile-good-guest-reclaims: $(cat "$run/reclaim.out" "$run/reclaim.err")"; fi

vm_fragmented_intact g hostile-files-intact
cat "$run/alone.err" "$run/both.err" > "$run/daemon.err"
sanitizer_clean "$run/daemon.err" hostile-sanitizers
