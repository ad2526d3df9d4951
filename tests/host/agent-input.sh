# Feed the guest agent of a real guest malformed, oversized and unknown
# requests through its virtio-serial port: each gets a clear ERROR, and the
# agent still answers the next good request.
source "$(dirname "$0")/../lib.sh"
ctl=$root/build/host/vmcompactctl

vm_start g --timeout 600
if ! vm_wait_for g "vmcompact-agent: serving" 300; then
	fail "agent-boot: the agent did not start"
	exit 1
fi
sock=$run/g/vmc.sock

# name, expected reply regex, number of replies, send-raw items...
# send-raw returns once that many frames came back (or after 20 s of
# silence, when the agent answers fewer).
check() {
	local name=$1 want=$2 replies=$3; shift 3
	local out
	out=$("$ctl" send-raw --socket "$sock" --timeout 20 --expect "$replies" "$@" 2>&1)
	if grep -qE "$want" <<<"$out" &&
	   "$ctl" hello --socket "$sock" --timeout 20 >/dev/null 2>&1; then
		pass "agent-$name"
	else
		fail "agent-$name: got: $out"
	fi
}

check garbage           'ERROR.*bad frame'                     1 --hex 0011223344556677889900aabbccddeeff
check unknown-type      'seq=7 .*unknown message type'         1 --frame 0x77:7
check bad-version       'seq=8 .*unsupported protocol version' 1 --frame 1:8::9
check bad-crc           'seq=9 .*bad crc'                      1 --hex 564d435001000100090000000000000000000000
check oversized         'seq=10 .*frame too big'               1 --hex 564d4350010001000a000000ffffff7f00000000
check bad-map-payload   'seq=11 .*bad payload'                 1 --frame 2:11:0102
check garbage-then-good 'HELLO_RESP.* seq=12'                  2 --hex deadbeefdeadbeef --frame 1:12

# After all that, a whole map still comes through.
if "$ctl" map --socket "$sock" --timeout 30 > "$run/map.txt" 2>&1; then
	pass "agent-map-after-bad-input"
else
	fail "agent-map-after-bad-input: $(tail -3 "$run/map.txt")"
fi
