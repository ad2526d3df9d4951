# vmcompactd against guest agents that lie, stall or babble
# (tests/host/lib/fake-agent.py; no VM needed): each cycle ends with an
# error that says what was wrong, nothing is asked of the guest after a
# bad answer, the host check reports what the memfd says rather than what
# the guest claims, and the daemon exits normally.
source "$(dirname "$0")/../lib.sh"
daemon=$root/build/host/vmcompactd
fakes=()
trap 'kill "${fakes[@]}" 2>/dev/null; vm_cleanup' EXIT

# cycle MODE: one vmcompactd --once cycle against a fake agent in MODE;
# its JSON line in $line, its exit status in $rc, the requests the fake
# got in $run/MODE.log.
cycle() {
	local sock=$run/$1.sock
	python3 "$root/tests/host/lib/fake-agent.py" "$sock" "$1" > "$run/$1.log" 2>&1 &
	fakes+=($!)
	for _ in $(seq 1 50); do [ -S "$sock" ] && [ -s "$sock.pid" ] && break; sleep 0.1; done
	line=$("$daemon" --once --settle 1 --timeout 3 --vacate-timeout 3 \
		--vm "$1,agent=$sock,pidfile=$sock.pid" 2> "$run/$1.err")
	rc=$?
}
# check NAME STATUS: PASS or FAIL with the line.
check() { if [ "$2" = 0 ]; then pass "$1 ($line)"; else fail "$1: rc $rc: $line $(cat "$run/${1#daemon-trust-}.err" 2>/dev/null)"; fi; }
frees() { grep -c 'got VACATE mode=1' "$run/$1.log"; }

cycle lie-acted
# The probe asks for the 64 cheapest (--blocks' default).
[ $rc = 0 ] && grep -q '"error":"agent: VACATE_RESP: acted on 65 blocks, asked at most 64' <<<"$line" &&
	[ "$(frees lie-acted)" = 0 ]
check daemon-trust-lie-acted $?

cycle silent
[ $rc = 0 ] && grep -q '"error":"agent: no VACATE_RESP (seq [0-9]*) from the guest in time"' <<<"$line" &&
	[ "$(frees silent)" = 0 ]
check daemon-trust-silent $?

cycle garbage
[ $rc = 0 ] && grep -q '"error":"agent: no VACATE_RESP' <<<"$line" && [ "$(frees garbage)" = 0 ]
check daemon-trust-garbage $?

cycle claims-populated
[ $rc = 0 ] && grep -q '"done":2,' <<<"$line" && grep -q '"host_checked":true' <<<"$line" &&
	grep -q '"released_whole":0,"still_populated":2,' <<<"$line"
check daemon-trust-claims-populated $?

cycle outside-ram
[ $rc = 0 ] && grep -q '"error":"host check: the guest emptied block pfn 0x100000, which is not in its RAM' <<<"$line" &&
	grep -q '"host_checked":false' <<<"$line"
check daemon-trust-outside-ram $?
