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

# name, expected reply regex, send-raw items...
check() {
	local name=$1 want=$2; shift 2
	local out
	out=$("$ctl" send-raw --socket "$sock" --timeout 20 "$@" 2>&1)
	if grep -qE "$want" <<<"$out" &&
	   "$ctl" hello --socket "$sock" --timeout 20 >/dev/null 2>&1; then
		pass "agent-$name"
	else
		fail "agent-$name: got: $out"
	fi
}

check garbage        'ERROR.*bad frame'            --hex 0011223344556677889900aabbccddeeff
check unknown-type   'seq=7 .*unknown message type' --frame 0x77:7
check bad-version    'seq=8 .*unsupported protocol version' --frame 1:8::9
check bad-crc        'seq=9 .*bad crc'                --hex 564d435001000100090000000000000000000000
check oversized      'seq=10 .*frame too big' --hex 564d4350010001000a000000ffffff7f00000000
check bad-map-payload 'seq=11 .*bad payload'     --frame 2:11:0102
check garbage-then-good 'HELLO_RESP.* seq=12'             --hex deadbeefdeadbeef --frame 1:12

# After all that, a whole map still comes through.
if "$ctl" map --socket "$sock" --timeout 30 > "$run/map.txt" 2>&1; then
	pass "agent-map-after-bad-input"
else
	fail "agent-map-after-bad-input: $(tail -3 "$run/map.txt")"
fi
