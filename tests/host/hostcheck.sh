# vmcompactd's host check where guest-physical addresses are not offsets
# into the RAM file, and where SEEK_DATA cannot tell a hole:
#  - an 8 GiB guest (pc: 3 GiB below the PCI hole, 5 GiB at 4 GiB): its
#    cycle is checked with no error; the blocks it emptied above 4 GiB
#    are checked at file offset (address - 1 GiB), and every one the
#    daemon calls a hole is one by the test's own look at the memfd
#    (SEEK_HOLE, tests/host/lib/memfd-blocks.py) right after;
#  - a guest on 2 MiB huge pages (a hugetlb memfd): the blocks it emptied
#    are found released (QEMU's pagemap), the host's HugePages_Free rose,
#    and by exactly the huge pages the memfd dropped (both read with the
#    guest stopped: it may fault in pages while the cycle moves objects).
#    The huge pages are given back after.
source "$(dirname "$0")/../lib.sh"
source "$root/tests/host/lib/daemon.sh"
huge=520	# a 1 GiB guest, and some
nr_huge=/proc/sys/vm/nr_hugepages
free_huge() { sed -n 's/^HugePages_Free: *//p' /proc/meminfo; }
had=$(cat $nr_huge)
echo $((had + huge)) > $nr_huge 2> /dev/null
trap 'echo $(( $(cat $nr_huge) - huge )) > $nr_huge; kill_fakes; vm_cleanup' EXIT
hugetlb=yes
[ "$(free_huge)" -ge $huge ] || hugetlb="no: only $(free_huge) free huge pages after asking for $huge more"

guests=big
[ $hugetlb = yes ] && guests="big huge"
vm_start big --mem 8192 --payload fragmented --timeout 1500
[ $hugetlb = yes ] && vm_start huge --hugetlb --payload fragmented --timeout 1500
for g in $guests; do ready $g hostcheck-guests; done
num() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" <<<"$2"; }

# The 8 GiB guest.
"$daemon" --once --log-level debug --blocks 256 --settle 5 --vm-dir "$run/big" \
	> "$run/big.jsonl" 2> "$run/big.err"
line=$(tail -n 1 "$run/big.jsonl")
done=$(num done "$line") whole=$(num released_whole "$line") still=$(num still_populated "$line")
[ "${done:-0}" -gt 0 ] && [ "${whole:-0}" -gt 0 ] && [ $((whole + still)) = "$done" ] &&
	grep -q '"error":null' <<<"$line" && grep -q '"backing":"memfd"' <<<"$line"
if [ $? = 0 ]; then
	pass "hostcheck-8g-guest ($done blocks emptied, $whole holes on the host, populated $(num host_populated_mib_before "$line") -> $(num host_populated_mib_after "$line") MiB)"
else
	fail "hostcheck-8g-guest: $line $(head -c 300 "$run/big.err")"
fi
# Each block above 4 GiB: at offset - 1 GiB, and a hole there by SEEK_HOLE.
python3 "$root/tests/host/lib/memfd-blocks.py" "$(cat "$run/big/qemu.pid")" 8192 > "$run/big.blocks"
python3 - "$run/big.err" "$run/big.blocks" > "$run/big.check" <<'PY'
import re, sys
populated = [int(n) for n in open(sys.argv[2]).read().split()]
high = holes = bad = 0
for m in re.finditer(r"block pfn (0x[0-9a-f]+) at RAM file offset (0x[0-9a-f]+): (\w+)", open(sys.argv[1]).read()):
    pfn, off, what = int(m[1], 16), int(m[2], 16), m[3]
    gpa = pfn * 4096
    if gpa < 4 << 30:
        continue
    high += 1
    holes += what == "hole"
    if off != gpa - (1 << 30) or (what == "hole" and populated[off >> 21]):
        bad += 1
        print("block pfn %#x: offset %#x, %s, %d pages populated" % (pfn, off, what, populated[off >> 21]))
print("%d blocks above 4 GiB, %d of them holes, %d wrong" % (high, holes, bad))
sys.exit(0 if holes and not bad else 1)
PY
result=$?
if [ $result = 0 ]; then pass "hostcheck-8g-blocks-above-4g ($(tail -n 1 "$run/big.check"))"; else fail "hostcheck-8g-blocks-above-4g: $(cat "$run/big.check")"; fi

if [ $hugetlb != yes ]; then
	skip "hostcheck-hugetlb: $hugetlb"
else
	# The guest runs during the cycle (and may fault in pages it moves
	# objects to), so the host's counter is compared with the memfd's
	# own count of its huge pages, both read with the guest stopped.
	paused() {	# paused VAR: "HugePages_Free memfd-bytes" with vCPUs stopped
		vm_qmp huge '{"execute":"stop"}' > /dev/null
		printf -v "$1" '%s %s' "$(free_huge)" \
			"$(python3 "$root/tests/host/lib/memfd-blocks.py" --bytes "$(cat "$run/huge/qemu.pid")" 1024)"
		vm_qmp huge '{"execute":"cont"}' > /dev/null
	}
	paused before
	"$daemon" --once --blocks 256 --settle 5 --vm-dir "$run/huge" \
		> "$run/huge.jsonl" 2> "$run/huge.err"
	paused after
	read -r free0 bytes0 <<<"$before"
	read -r free1 bytes1 <<<"$after"
	line=$(tail -n 1 "$run/huge.jsonl")
	done=$(num done "$line") whole=$(num released_whole "$line")
	still=$(num still_populated "$line")
	[ "${done:-0}" -gt 0 ] && [ "${whole:-0}" -gt 0 ] && [ $((whole + still)) = "$done" ] &&
		grep -q '"error":null' <<<"$line" && grep -q '"backing":"hugetlbfs"' <<<"$line" &&
		[ "$free1" -gt "$free0" ] &&
		[ $(( (free1 - free0) * (2 << 20) )) = $((bytes0 - bytes1)) ]
	if [ $? = 0 ]; then
		pass "hostcheck-hugetlb ($done blocks emptied, $whole found released; HugePages_Free $free0 -> $free1, the memfd $((bytes0 >> 20)) -> $((bytes1 >> 20)) MiB; populated $(num host_populated_mib_before "$line") -> $(num host_populated_mib_after "$line") MiB)"
	else
		fail "hostcheck-hugetlb: HugePages_Free $free0 -> $free1, memfd bytes $bytes0 -> $bytes1; $line $(head -c 300 "$run/huge.err")"
	fi
	vm_fragmented_intact huge hostcheck-files-intact-huge
fi
vm_fragmented_intact big hostcheck-files-intact-big
cat "$run"/*.err > "$run/daemon.err"
sanitizer_clean "$run/daemon.err" hostcheck-sanitizers
