# vmcompactd for an operator, with fake guest agents
# (tests/host/lib/fake-agent.py) as its VMs, no QEMU needed:
#  - vmcompactctl status, cycle and reclaim on the control socket, errors
#    for a VM that is not there and for requests that are not requests, a
#    client that never finishes its line does not hold up the others;
#  - Prometheus metrics on the control socket and over HTTP;
#  - a config file, re-read on SIGHUP (VMs come and go, a bad file keeps
#    the settings), --version, a timestamp on every JSON line;
#  - the socket goes with the daemon, and ASan/UBSan say nothing.
source "$(dirname "$0")/../lib.sh"
source "$root/tests/host/lib/daemon.sh"
control=$run/control.sock conf=$run/vmcompactd.conf
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
fake_agent f claims-populated
fake_agent g claims-populated
cat > "$conf" <<CONF
# vmcompactd.conf(5): options without their dashes
interval 3600
settle 1
vm f,agent=$run/f.sock,pidfile=$run/f.sock.pid
CONF
"$daemon" --config "$conf" --control "$control" --metrics "127.0.0.1:$port" \
	> "$run/daemon.jsonl" 2> "$run/daemon.err" &
dpid=$!
for _ in $(seq 1 100); do grep -q '"cycle":1' "$run/daemon.jsonl" 2>/dev/null && break; sleep 0.1; done

# result NAME STATUS DETAIL
result() { if [ "$2" = 0 ]; then pass "$1"; else fail "$1: $3"; fi; }

out=$("$ctl" status --control "$control" 2>&1)
grep -qE '^f +idle +1 +2 +0 +2/2 emptied$' <<<"$out"
result daemon-control-status $? "$out"

out=$("$ctl" status --control "$control" --json 2>&1)
python3 -c 'import json, sys; v = json.loads(sys.argv[1])["vms"][0]; assert v["last"]["still_populated"] == 2' "$out"
result daemon-control-status-json $? "$out"

# A client that sends half a line and waits: dropped after 5 s; the
# others are served meanwhile.
python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.send(b"sta")
t = time.time(); got = s.recv(100); print("closed after %.0f s" % (time.time() - t), got)
' "$control" > "$run/slow.out" 2>&1 &
slow=$!
out=$("$ctl" cycle --control "$control" --vm f 2>&1)
[ $? = 0 ] && [ "$out" = "vmcompactd starts a cycle of f" ]
result daemon-control-cycle $? "$out"
for _ in $(seq 1 100); do grep -q '"cycle":2' "$run/daemon.jsonl" && break; sleep 0.1; done
grep -q '"cycle":2' "$run/daemon.jsonl"
result daemon-control-cycle-ran $? "$(cat "$run/daemon.jsonl")"
wait $slow
grep -qE "^closed after [4-9] s b''$" "$run/slow.out"
result daemon-control-drops-slow-client $? "$(cat "$run/slow.out")"

out=$("$ctl" cycle --control "$control" --vm nope 2>&1)
[ $? = 1 ] && [ "$out" = "vmcompactctl: vmcompactd: no VM called nope" ]
result daemon-control-unknown-vm $? "$out"
out=$(python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.send(b"reboot everything\n"); print(s.recv(200).decode().strip())
' "$control")
[ "$out" = '{"error":"unknown request: status, metrics, cycle NAME or reclaim NAME MIB"}' ]
result daemon-control-unknown-request $? "$out"

# reclaim 4 MiB: two 2 MiB blocks asked of the guest (FREE: no balloon
# here); the answer comes when the cycle is over, and says what the host
# got, which the fake guest's memfd says is nothing.
out=$("$ctl" reclaim --control "$control" --vm f --mib 4 2>&1)
rc=$?
[ $rc = 0 ] && [ "$out" = "f: asked 4 MiB, 2 blocks emptied, 0 MiB returned to the host (0 blocks released whole on the host)" ] &&
	grep -q 'got VACATE mode=0 count=2 flags=1' "$run/f.log"
result daemon-control-reclaim $? "rc $rc: $out; $(grep VACATE "$run/f.log" | tail -2)"

out=$("$ctl" metrics --control "$control" 2>&1)
grep -q '^vmcompactd_cycles_total{vm="f"} 3$' <<<"$out" &&
	grep -q '^vmcompactd_blocks_emptied_total{vm="f"} 6$' <<<"$out" &&
	grep -q '^vmcompactd_blocks_released_total{vm="f"} 0$' <<<"$out" &&
	grep -q '^# TYPE vmcompactd_cycle_seconds_total counter$' <<<"$out"
result daemon-control-metrics $? "$out"
out=$(python3 -c 'import sys, urllib.request; print(urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1]).read().decode())' "$port" 2>&1)
grep -q '^vmcompactd_cycles_total{vm="f"} 3$' <<<"$out"
result daemon-control-metrics-http $? "$out"
out=$("$ctl" metrics --control "$control" --json 2>&1)
python3 -c 'import json, sys; m = json.loads(sys.argv[1]); assert {"name": "vmcompactd_cycles_total", "vm": "f", "value": 3.0} in m' "$out"
result daemon-control-metrics-json $? "$out"

# SIGHUP: g joins, f leaves; then a broken file changes nothing.
sed -i "s|^vm f,.*|vm g,agent=$run/g.sock,pidfile=$run/g.sock.pid|" "$conf"
kill -HUP $dpid
for _ in $(seq 1 100); do grep -q '"vm":"g"' "$run/daemon.jsonl" && break; sleep 0.1; done
out=$("$ctl" status --control "$control" 2>&1)
grep -qE '^g +idle +1 ' <<<"$out" && ! grep -q '^f ' <<<"$out" &&
	grep -q 'vmcompactd: f: no longer configured' "$run/daemon.err"
result daemon-control-sighup-reload $? "$out"
echo "intervl 5" >> "$conf"
kill -HUP $dpid
for _ in $(seq 1 50); do grep -q 'keeping the settings' "$run/daemon.err" && break; sleep 0.1; done
out=$("$ctl" status --control "$control" 2>&1)
grep -q "vmcompactd: error: reload: $conf:5: unknown option 'intervl'; keeping the settings" "$run/daemon.err" &&
	grep -qE '^g +idle +1 ' <<<"$out"
result daemon-control-sighup-bad-config $? "$(tail -2 "$run/daemon.err")"

out=$("$daemon" --version; "$ctl" --version)
version=$(sed -n '1s/^[^ ]* (\([^)]*\)).*/\1/p' "$root/debian/changelog")
[ "$out" = "vmcompactd $version
vmcompactctl $version" ]
result daemon-control-version $? "$out"

python3 - "$run/daemon.jsonl" <<'PY'
import datetime, json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert lines, "no line"
for l in lines:
    datetime.datetime.strptime(l["time"], "%Y-%m-%dT%H:%M:%S.%fZ")
PY
result daemon-control-timestamps $? "$(head -c 300 "$run/daemon.jsonl")"

kill -TERM $dpid
wait $dpid
rc=$?
[ $rc = 0 ] && [ ! -e "$control" ]
result daemon-control-socket-removed $? "exit $rc, $(ls -l "$control" 2>&1)"
sanitizer_clean "$run/daemon.err" daemon-control-sanitizers
