# What the daemon tests share (source after tests/lib.sh): the binaries
# (vmcompactd under ASan + UBSan unless VMCOMPACTD says otherwise), fake
# agents, and the CPU time of a process.
daemon=${VMCOMPACTD:-$root/build/san/vmcompactd}
ctl=${VMCOMPACTCTL:-$root/build/host/vmcompactctl}
# Leaks are errors; libvirt's own caches are not ours to fix.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
fakes=()

# fake_agent NAME MODE: a fake agent (lib/fake-agent.py) on $run/NAME.sock,
# its pid in $run/NAME.sock.pid once it listens; its log in $run/NAME.log.
fake_agent() {
	local sock=$run/$1.sock
	python3 "$root/tests/host/lib/fake-agent.py" "$sock" "$2" > "$run/$1.log" 2>&1 &
	fakes+=($!)
	for _ in $(seq 1 50); do [ -S "$sock" ] && [ -s "$sock.pid" ] && break; sleep 0.1; done
}
kill_fakes() { [ ${#fakes[@]} = 0 ] || kill "${fakes[@]}" 2> /dev/null; }
trap 'kill_fakes; vm_cleanup' EXIT

# cpu_ms PID: user + system CPU time the process has used, in ms.
cpu_ms() {
	awk -v hz="$(getconf CLK_TCK)" '{ print int(($14 + $15) * 1000 / hz) }' "/proc/$1/stat"
}

# sanitizer_clean LOG TEST: PASS TEST if the daemon's stderr LOG has no
# ASan/UBSan/LSan report, else FAIL with it.
sanitizer_clean() {
	if grep -qE "ERROR: (Address|Leak)Sanitizer|runtime error:" "$1"; then
		fail "$2: $(grep -m1 -E "ERROR: (Address|Leak)Sanitizer|runtime error:" "$1")"
		grep -A20 -m1 -E "Sanitizer|runtime error" "$1" | sed 's/^/  | /'
	else
		pass "$2"
	fi
}

# ready NAME TEST: wait for guest NAME (payload fragmented) to be ready;
# if it does not get there, FAIL TEST and end the test.
ready() {
	if ! vm_wait_for "$1" "vmcompact-fragmented: ready" 900; then
		fail "$2: guest $1 did not get ready"
		exit 1
	fi
}

# held_blocks SOCKET: how many blocks of the guest behind SOCKET a vacate
# holds (its agent, or its balloon): a probe of every block of RAM
# without holes, through its agent.
held_blocks() {
	"$ctl" map --socket "$1" --json --timeout 30 | python3 -c '
import json, sys
m = json.load(sys.stdin)
print(" ".join("--pfn %d" % b["pfn"] for b in m["blocks"] if not b["absent"] and b["pfn"] >= 8 * m["block_pages"]))
' > "$run/blocks"
	"$ctl" vacate --socket "$1" --mode probe --json --timeout 30 $(cat "$run/blocks") |
		python3 -c '
import json, sys
r = json.load(sys.stdin)
print(sum(1 for b in r["results"] if b["why"].get("held", 0) == r["block_pages"]))'
}
