# Boot a guest; check /dev/vacate's map against the guest's /proc/meminfo
# (in the guest, vmc-mapcheck) and the map that the host reads through the
# agent (vmcompactctl) against the MemFree/Slab the guest prints.  The
# guest has a CMA area (cma=64M), whose free pages the map must count as
# CmaFree does.  Tolerance: 1% of the /proc figure plus 256 pages.
source "$(dirname "$0")/../lib.sh"
ctl=$root/build/host/vmcompactctl

vm_start g --payload mapcheck --append "cma=64M" --timeout 600
if ! vm_wait_for g "vmcompact-mapcheck: done" 300; then
	fail "map-guest-boot: the guest did not finish vmc-mapcheck"
	exit 1
fi
vm_guest_results g "guest-"
vm_wait_for g "^meminfo: " 30 >/dev/null

if "$ctl" map --socket "$run/g/vmc.sock" --json > "$run/map.json" 2> "$run/map.err"; then
	pass "host-map-json: vmcompactctl map --json"
else
	fail "host-map-json: $(cat "$run/map.err")"
	exit 1
fi
last=$(vm_console g | grep -a '^meminfo: ' | tail -1)
python3 - "$run/map.json" "$last" <<'PY'
import json, re, sys
m = json.load(open(sys.argv[1]))
free_kb = int(re.search(r"MemFree: (\d+)", sys.argv[2]).group(1))
slab_kb = int(re.search(r"Slab: (\d+)", sys.argv[2]).group(1))
kb = m["page_size"] // 1024
free = sum(b["free"] for b in m["blocks"])
slab = sum(b["slab_mobile"] + b["slab_reclaimable"] + b["slab_unmovable"] for b in m["blocks"])
for name, got, want in (("host-map-free-matches-memfree", free, free_kb // kb),
                        ("host-map-slab-matches-slab", slab, slab_kb // kb)):
    tol = want // 100 + 256
    verdict = "PASS" if abs(got - want) <= tol else "FAIL"
    print(f"{verdict} {name}: map {got} pages, guest /proc {want}, tolerance {tol}")
blocks = len(m["blocks"])
verdict = "PASS" if m["block_pages"] == 512 and blocks == 512 else "FAIL"
print(f"{verdict} host-map-covers-1GiB: {blocks} blocks of {m['block_pages']} pages")
PY

if "$ctl" map --socket "$run/g/vmc.sock" > "$run/map.txt" 2>&1 &&
   grep -q "fully free blocks:" "$run/map.txt" && grep -q "^ *0 MiB |" "$run/map.txt"; then
	pass "host-map-picture"
else
	fail "host-map-picture: $(head -5 "$run/map.txt")"
fi
