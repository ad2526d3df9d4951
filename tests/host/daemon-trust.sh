# vmcompactd against guest agents that lie, stall or babble
# (tests/host/lib/fake-agent.py; no VM needed): each cycle ends with an
# error that says what was wrong, nothing is asked of the guest after a
# bad answer, the host check reports what the memfd says rather than what
# the guest claims, a frame left half sent is given up, a guest that
# floods the daemon is hung up on, and the daemon (ASan + UBSan) exits
# normally with no report.
source "$(dirname "$0")/../lib.sh"
source "$root/tests/host/lib/daemon.sh"

# cycle MODE: one vmcompactd --once cycle against a fake agent in MODE;
# its JSON line in $line, its exit status in $rc, the requests the fake
# got in $run/MODE.log.
cycle() {
	fake_agent "$1" "$1"
	line=$("$daemon" --once --settle 1 --timeout 3 --vacate-timeout 3 \
		--vm "$1,agent=$run/$1.sock,pidfile=$run/$1.sock.pid" 2> "$run/$1.err")
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

# 64 KiB of noise: skipped, within what a guest may waste.
cycle garbage
[ $rc = 0 ] && grep -q '"error":"agent: no VACATE_RESP' <<<"$line" &&
	[ "$(frees garbage)" = 0 ]
check daemon-trust-garbage $?

cycle claims-populated
[ $rc = 0 ] && grep -q '"done":2,' <<<"$line" && grep -q '"host_checked":true' <<<"$line" &&
	grep -q '"released_whole":0,"still_populated":2,' <<<"$line"
check daemon-trust-claims-populated $?

cycle outside-ram
[ $rc = 0 ] && grep -q '"error":"host check: the guest emptied block pfn 0x100000, which is not in its RAM' <<<"$line" &&
	grep -q '"host_checked":false' <<<"$line"
check daemon-trust-outside-ram $?

# Half a header, silence, then the answer: the half is given up after
# VMC_PARTIAL_TIMEOUT_MS, else it would swallow the answer.
cycle partial
[ $rc = 0 ] && grep -q '"done":2,' <<<"$line" && grep -q '"error":null' <<<"$line"
check daemon-trust-partial-frame-dropped $?

# Floods: overlapping fake headers cost a 64 KiB crc per 8 bytes sent;
# valid frames that answer nothing cost nothing each, but never end.
cycle overlap
[ $rc = 0 ] && grep -q '"error":"agent: the guest sent [0-9]* bytes that make no frame"' <<<"$line"
check daemon-trust-overlap-hung-up $?
cycle stale-frames
[ $rc = 0 ] && grep -q '"error":"agent: the guest sent [0-9]* bytes without answering"' <<<"$line"
check daemon-trust-stale-frames-hung-up $?

for m in lie-acted silent garbage claims-populated outside-ram partial overlap stale-frames; do
	cat "$run/$m.err"
done > "$run/all.err"
sanitizer_clean "$run/all.err" daemon-trust-sanitizers
