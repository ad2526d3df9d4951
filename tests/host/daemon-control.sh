# vmcompactctl status and cycle against a running vmcompactd (--control),
# with a fake guest agent (tests/host/lib/fake-agent.py) as its one VM:
# the status, a cycle asked for now, errors for a VM that is not there and
# for requests that are not requests, a client that never finishes its
# line does not hold up the others, and the socket goes with the daemon.
source "$(dirname "$0")/../lib.sh"
source "$root/tests/host/lib/daemon.sh"
sock=$run/fake.sock control=$run/control.sock
fake_agent fake claims-populated
"$daemon" --vm "f,agent=$sock,pidfile=$sock.pid" --interval 3600 \
	--settle 1 --control "$control" > "$run/daemon.jsonl" 2> "$run/daemon.err" &
daemon=$!
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
[ "$out" = '{"error":"unknown request: status, or cycle NAME"}' ]
result daemon-control-unknown-request $? "$out"

kill -TERM $daemon
wait $daemon
rc=$?
[ $rc = 0 ] && [ ! -e "$control" ]
result daemon-control-socket-removed $? "exit $rc, $(ls -l "$control" 2>&1)"
