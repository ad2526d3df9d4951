# vmcompactd with two real guests at once (tests/guest/payloads/
# fragmented.sh) and a VM that is not there:
#  - one cycle each (--once): guest a returns its emptied blocks by free
#    page reporting, guest b by HOLD and the balloon; on the host, the
#    memfd ranges behind the blocks the guests emptied are holes; the
#    missing VM gets an error line and changes nothing for the others;
#  - a guest short of memory (by its own balloon statistics: here, a
#    --deflate-below-mib above its size) gets balloon memory back, at most
#    its RAM, and nothing more is taken from it meanwhile;
#  - running on: QEMU of guest a killed under it, the daemon goes on with
#    b, and SIGTERM stops it;
#  - the guests' files intact, their kernel logs clean.
source "$(dirname "$0")/../lib.sh"
source "$root/tests/host/lib/daemon.sh"

vm_start a --payload fragmented --timeout 1500
vm_start b --payload fragmented --timeout 1500
for g in a b; do ready $g vmcompactd-guests; done

# line VM FILE: that VM's last JSON line; num KEY LINE: its number.
line() { grep "\"vm\":\"$1\"" "$2" | tail -n 1; }
num() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" <<<"$2"; }
balloon_mib() { vm_qmp b '{"execute":"query-balloon"}' | sed -n 's/.*"actual": *\([0-9]*\).*/\1/p' | awk '{ print int($1 / 1048576) }'; }

"$daemon" --once --settle 5 --floor-mib 256 --vm-dir "$run/a" --vm-dir "$run/b,return=balloon" \
	--vm "ghost,agent=$run/nothing.sock" > "$run/once.jsonl" 2> "$run/once.err"
rc=$?
sed 's/^/  | /' "$run/once.jsonl"

a=$(line a "$run/once.jsonl") b=$(line b "$run/once.jsonl") ghost=$(line ghost "$run/once.jsonl")
done_a=$(num done "$a") whole_a=$(num released_whole "$a") still_a=$(num still_populated "$a")
[ $rc = 0 ] && [ "${done_a:-0}" -gt 0 ] && grep -q '"host_checked":true' <<<"$a" &&
	[ "${whole_a:-0}" -gt 0 ] && [ $((whole_a + still_a)) = "$done_a" ] && grep -q '"error":null' <<<"$a"
result_a=$?
if [ $result_a = 0 ]; then
	pass "vmcompactd-free-page-reporting ($done_a blocks emptied, $whole_a of them holes on the host, populated $(num host_populated_mib_before "$a") -> $(num host_populated_mib_after "$a") MiB)"
else
	fail "vmcompactd-free-page-reporting: rc $rc: $a $(head -c 300 "$run/once.err")"
fi

done_b=$(num done "$b") whole_b=$(num released_whole "$b")
before_b=$(num balloon_before_mib "$b") after_b=$(num balloon_after_mib "$b")
now_b=$(balloon_mib)
if [ "${done_b:-0}" -gt 0 ] && [ "${whole_b:-0}" -gt 0 ] && grep -q '"error":null' <<<"$b" &&
   [ $((before_b - after_b)) -ge $((done_b * 2)) ] && [ "$now_b" = "$after_b" ]; then
	pass "vmcompactd-balloon ($done_b blocks held, balloon $before_b -> $after_b MiB, $whole_b of the blocks holes on the host)"
else
	fail "vmcompactd-balloon: $b; query-balloon now $now_b MiB"
fi

if grep -q '"error":"agent: .*nothing.sock: No such file or directory"' <<<"$ghost"; then
	pass "vmcompactd-missing-vm-reported"
else
	fail "vmcompactd-missing-vm-reported: ${ghost:-no line}"
fi

vm_fragmented_intact a vmcompactd-files-intact-a

# b deflates: every cycle sees its available memory under 4 GiB.  The
# first cycle turns the balloon's statistics on; they come in 2 s.
"$daemon" --vm-dir "$run/b,return=balloon" --interval 1 --deflate-below-mib 4096 \
	--deflate-step-mib 16 > "$run/deflate.jsonl" 2> "$run/deflate.err" &
dpid=$!
for _ in $(seq 1 120); do grep -q '"deflated_mib"' "$run/deflate.jsonl" && break; sleep 0.5; done
kill -TERM $dpid
wait $dpid
line=$(grep '"deflated_mib"' "$run/deflate.jsonl" | head -n 1)
deflated=$(num deflated_mib "$line") available=$(num available_mib "$line")
now=$(balloon_mib)
# Nothing was held (let alone inflated) by any cycle of this run.
[ "${deflated:-0}" = 16 ] && [ "$now" -gt "$after_b" ] && [ "$now" -le 1024 ] &&
	! grep -q '"balloon_before_mib"' "$run/deflate.jsonl"
if [ $? = 0 ]; then
	pass "vmcompactd-deflate (the guest has $available MiB available: balloon $after_b -> $now MiB)"
else
	fail "vmcompactd-deflate: balloon $after_b -> $now MiB; ${line:-no deflating cycle}: $(head -c 600 "$run/deflate.jsonl")"
fi

# Running on, every second: kill guest a's QEMU; b goes on; SIGTERM.
"$daemon" --interval 1 --settle 1 --vm-dir "$run/a" --vm-dir "$run/b" > "$run/on.jsonl" 2> "$run/on.err" &
dpid=$!
sleep 8
kill -KILL "$(cat "$run/a/qemu.pid")"
# Between its cycles the daemon leaves the agent's port to others.
if out=$("$ctl" hello --socket "$run/b/vmc.sock" --timeout 30 2>&1); then
	pass "vmcompactd-port-free-between-cycles"
else
	fail "vmcompactd-port-free-between-cycles: $out"
fi
n_b=$(grep -c '"vm":"b"' "$run/on.jsonl")
sleep 8
more_b=$(( $(grep -c '"vm":"b"' "$run/on.jsonl") - n_b ))
kill -TERM $dpid
for i in $(seq 1 20); do kill -0 $dpid 2>/dev/null || break; sleep 0.5; done
if kill -0 $dpid 2>/dev/null; then
	kill -KILL $dpid
	fail "vmcompactd-sigterm: still running 10 s after SIGTERM"
else
	wait $dpid
	drc=$?
	[ $drc = 0 ] && grep -q "stopping" "$run/on.err"
	if [ $? = 0 ]; then pass "vmcompactd-sigterm"; else fail "vmcompactd-sigterm: exit $drc: $(cat "$run/on.err")"; fi
fi
a_err=$(grep '"vm":"a"' "$run/on.jsonl" | grep -c '"error":"agent: ')
if [ "$more_b" -gt 0 ] && [ "$a_err" -gt 0 ]; then
	pass "vmcompactd-survives-a-dead-vm ($more_b cycles of b after a died, $a_err error lines for a)"
else
	fail "vmcompactd-survives-a-dead-vm: $more_b cycles of b after a died, $a_err error lines for a"
fi

vm_fragmented_intact b vmcompactd-files-intact-b
cat "$run/once.err" "$run/deflate.err" "$run/on.err" > "$run/daemon.err"
sanitizer_clean "$run/daemon.err" vmcompactd-sanitizers
for g in a b; do
	vm_clean_log $g "vmcompactd-clean-log-$g" "$KERNEL_REPORT_RE"
done
