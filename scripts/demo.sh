#!/bin/bash
# The vmcompact demo: boot a 1 GiB guest with an ext2 disk, run the
# fragmentation workload of ENVIRONMENT.md in it, print the guest's block
# map from the host (through the guest agent), let vmcompactd on the host
# have the guest empty its cheapest blocks and check in the guest's
# memfd that free page reporting gave them back, and print the map again.
#
#   scripts/demo.sh [ROUNDS [BIG_MB [FILES]]]   (defaults 20 120 20000)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-20} big=${2:-120} files=${3:-20000}
ctl=$root/build/host/vmcompactctl
daemon=$root/build/host/vmcompactd
mkdir -p "$root/build/run"
run=$(mktemp -d "$root/build/run/demo.XXXXXX")
disk=$run/disk.img

vm_pid=""
# The disk image is gigabytes: it goes with the guest; the logs stay.
trap '[ -n "$vm_pid" ] && kill -TERM "$vm_pid" 2>/dev/null; wait 2>/dev/null; rm -f "$disk"' EXIT

wait_for() { # REGEX SECONDS
	local deadline=$((SECONDS + $2))
	until grep -qaE "$1" "$run/console.log" 2>/dev/null; do
		if [ $SECONDS -ge $deadline ] || ! kill -0 "$vm_pid" 2>/dev/null; then
			echo "demo: gave up waiting for '$1'; console:" >&2
			tail -n 30 "$run/console.log" >&2
			exit 1
		fi
		sleep 1
	done
}

"$root/scripts/scenario-disk" "$disk" "$rounds" "$big" "$files"

echo "demo: booting a 1 GiB guest (console: $run/console.log)"
"$root/scripts/vm-run" --dir "$run" --mem 1024 --disk "$disk" --payload fragment \
	--append "vmc.rounds=$rounds vmc.big_mb=$big vmc.files=$files" \
	> "$run/vm-run.log" 2>&1 &
vm_pid=$!
wait_for "vmcompact-init: up" 300
head -1 "$run/vm-run.log"

echo
echo "demo: block map of the freshly booted guest, from the host:"
"$ctl" map --socket "$run/vmc.sock"

echo
echo "demo: running $rounds rounds of ($big MiB file + $files small files), then dropping the page cache..."
start=$SECONDS
wait_for "vmcompact-fragment: (done|failed)" 3600
grep -qa "vmcompact-fragment: done" "$run/console.log" || { echo "demo: workload failed" >&2; exit 1; }
echo "demo: workload took $((SECONDS - start)) s"
grep -aE '^(MemFree|Slab|SReclaimable|SUnreclaim):' "$run/console.log" | tail -4 | sed 's/^/  guest: /'
echo "demo: the caches whose slab pages keep blocks from being free (vacatectl census):"
grep -a '^census: ' "$run/console.log" | sed 's/^census: /  guest: /' || true

echo
echo "demo: block map after the workload, from the host:"
"$ctl" map --socket "$run/vmc.sock"

echo
# Free page reporting hands the page cache the workload dropped to the
# host over a while: let it finish, so that the host figures below are
# the cycle's own.
populated_mib() {
	python3 "$root/tests/host/lib/memfd-blocks.py" "$(cat "$run/qemu.pid")" 1024 |
		tr ' ' '\n' | awk '{ s += $1 } END { print int(s / 256) }'
}
last=$(populated_mib)
for _ in $(seq 1 24); do
	sleep 5
	now=$(populated_mib)
	[ $((last - now)) -le 2 ] && break
	last=$now
done
echo "demo: guest RAM populated on the host once free page reporting is done: $now MiB"
echo
echo "demo: vmcompactd asks the guest to empty its cheapest blocks, then checks"
echo "      the guest's memfd on the host (vmcompactd --vm-dir $run --once):"
"$daemon" --vm-dir "$run" --once --blocks 512 --settle 10 > "$run/vmcompactd.jsonl"
python3 -c '
import json, sys
c = json.loads(sys.stdin.readline())
print("  %d blocks could be emptied of %d looked at; the guest emptied %d in %.1f s" %
      (c["possible"], c["candidates"], c["done"], c["guest_ms"] / 1000))
print("  (%d pages migrated, %d slab objects moved, %d reclaimed)" %
      (c["pages_migrated"], c["objects_moved"], c["objects_freed"]))
if c["host_checked"]:
    print("  host: %d of them are holes in the memfd now, %d still populated;"
          % (c["released_whole"], c["still_populated"]))
    print("        guest RAM populated on the host: %d MiB -> %d MiB"
          % (c["host_populated_mib_before"], c["host_populated_mib_after"]))
if c["error"]:
    print("  error: " + c["error"])
' < "$run/vmcompactd.jsonl"
echo
echo "demo: block map after vacating, from the host:"
"$ctl" map --socket "$run/vmc.sock"
