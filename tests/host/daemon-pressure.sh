# Host memory pressure starts cycles (vmcompactd --psi, psi(7)): a real
# pressure trigger on the memory.pressure of a cgroup of this test, where
# a reader thrashes the page cache under a 32 MiB memory limit.  The VM
# is a fake agent (tests/host/lib/fake-agent.py): what is tested is the
# daemon hearing the kernel.  Its interval is an hour, so a second cycle
# can only come from the pressure.
source "$(dirname "$0")/../lib.sh"
source "$root/tests/host/lib/daemon.sh"
name=vmcompact-psi-$$
# cgroup v2 alone, or v1's memory controller beside a v2 hierarchy.
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
	v2=/sys/fs/cgroup/$name v1=
elif [ -d /sys/fs/cgroup/unified ] && [ -d /sys/fs/cgroup/memory ]; then
	v2=/sys/fs/cgroup/unified/$name v1=/sys/fs/cgroup/memory/$name
else
	skip "daemon-pressure: no cgroup hierarchy to make pressure in"
	exit 0
fi
# Everything this test puts in the cgroups is dead before they go.
trap 'kill_fakes; [ -n "${reader:-}" ] && kill $reader 2> /dev/null; wait; rmdir $v1 $v2 2> /dev/null; vm_cleanup' EXIT
mkdir -p $v2 ${v1:-}
if [ -n "$v1" ]; then
	echo $((32 << 20)) > $v1/memory.limit_in_bytes
else
	echo +memory > /sys/fs/cgroup/cgroup.subtree_control 2> /dev/null
	echo $((32 << 20)) > $v2/memory.max
fi
if [ ! -w $v2/memory.pressure ]; then
	skip "daemon-pressure: no $v2/memory.pressure"
	exit 0
fi

fake_agent f claims-populated
"$daemon" --vm "f,agent=$run/f.sock,pidfile=$run/f.sock.pid" --interval 3600 --settle 1 \
	--psi "some 10000 2000000" --psi-file $v2/memory.pressure \
	> "$run/daemon.jsonl" 2> "$run/daemon.err" &
dpid=$!
for _ in $(seq 1 100); do grep -q '"cycle":1' "$run/daemon.jsonl" 2> /dev/null && break; sleep 0.1; done
# A minute at most of thrashing: a 64 MiB file read over and over by a
# process held to 32 MiB.
sh -c 'for c in "$@"; do echo $$ > "$c/cgroup.procs"; done
	dd if=/dev/zero of="$0" bs=1M count=64 status=none
	while :; do cat "$0" > /dev/null; done' "$run/thrash.bin" $v2 ${v1:-} &
reader=$!
for _ in $(seq 1 600); do grep -q '"cycle":2' "$run/daemon.jsonl" && break; sleep 0.1; done
kill $reader
wait $reader 2> /dev/null
reader=
if grep -q '"cycle":2' "$run/daemon.jsonl" && grep -q 'host memory pressure: cycles now' "$run/daemon.err"; then
	pass "daemon-pressure-starts-cycles ($(grep -c . "$run/daemon.jsonl") cycles, $(sed -n 's/^some.*total=\([0-9]*\)/\1/p' $v2/memory.pressure) us of stall in the cgroup)"
else
	fail "daemon-pressure-starts-cycles: $(cat "$run/daemon.err") $(cat $v2/memory.pressure)"
fi
kill -TERM $dpid
wait $dpid
sanitizer_clean "$run/daemon.err" daemon-pressure-sanitizers
