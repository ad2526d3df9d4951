#!/bin/bash
# make bench: figures, never pass/fail.  Each benchmark writes its file in
# build/bench/ (and prints it):
#   codec.txt   the codec's cost for the largest messages (bench/codec.c)
#   vacate.txt  vmcompactd's cycle on a fragmented 1 GiB TCG guest: time
#               and work per block emptied, blocks the host got back
#   slub.txt    what mobility costs SLUB: allocations and slow-path frees
#               in a plain and a mobile cache (the mobility test driver's
#               bench command, scripts/guest/payloads/slub-bench.sh)
# Wall-clock figures under TCG say how this machine did, not the guest
# kernel's cost on hardware.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/build/bench
mkdir -p "$out"

{
	echo "# bench/codec ($(date -u +%FT%TZ), $(uname -m), $(nproc) CPUs)"
	"$root/build/bench/codec"
} > "$out/codec.txt"
cat "$out/codec.txt"

# The vacate cycle: boot, fragment, one vmcompactd cycle per return path.
source "$root/tests/lib.sh"
vm_start g --payload fragmented --timeout 1800
vm_wait_for g "vmcompact-fragmented: ready" 900 > /dev/null
"$root/build/host/vmcompactd" --vm-dir "$run/g" --once --blocks 512 --settle 10 > "$run/free.jsonl"
python3 - "$run/free.jsonl" > "$out/vacate.txt" <<'PY'
import json, sys
c = json.loads(open(sys.argv[1]).readline())
print("# vmcompactd --once --return free, fragmented 1 GiB TCG guest")
print("raw: " + json.dumps(c))
done = max(c["done"], 1)
print("blocks emptied:           %d of %d possible" % (c["done"], c["possible"]))
print("guest time per block:     %.1f ms" % (c["guest_ms"] / done))
print("pages migrated per block: %.0f" % (c["pages_migrated"] / done))
print("objects moved per block:  %.1f" % (c["objects_moved"] / done))
if c["host_checked"]:
    print("released whole on host:   %d of %d" % (c["released_whole"], c["done"]))
    print("host populated:           %d -> %d MiB" % (c["host_populated_mib_before"], c["host_populated_mib_after"]))
PY
cat "$out/vacate.txt"

# The cost of mobility to SLUB, in a guest of its own.
vm_start s --payload slub-bench --timeout 900
vm_wait_for s "vmcompact-slub-bench: done" 800 > /dev/null
{
	echo "# slub-bench: ns per allocation and per free (frees in allocation order)"
	tr -d '\r' < "$run/s/console.log" | sed -n 's/^slub-bench: //p'
} > "$out/slub.txt"
cat "$out/slub.txt"
