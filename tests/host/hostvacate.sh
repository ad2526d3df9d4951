# The host empties a guest's blocks through its agent (VACATE_REQ and
# RELEASE_REQ, PROTOCOL.md 3.5-3.7) with vmcompactctl vacate and release:
# probes that move nothing, bad requests refused with the guest kernel's
# reason, FREE of the cheapest blocks, HOLD that outlasts the connection
# until release, malformed VACATE payloads refused by the agent, and the
# guest's files intact throughout (tests/guest/payloads/fragmented.sh).
source "$(dirname "$0")/../lib.sh"
ctl=$root/build/host/vmcompactctl

vm_start h --payload fragmented --timeout 1500
if ! vm_wait_for h "vmcompact-fragmented: ready" 600; then
	vm_guest_results h "hostvacate-"
	fail "hostvacate-guest: the payload did not get ready"
	exit 1
fi
sock=$run/h/vmc.sock out=$run/out err=$run/err

# hctl ARGS...: vmcompactctl on the guest, output in $out and $err, status in $rc.
hctl() { "$ctl" "$@" --socket "$sock" > "$out" 2> "$err"; rc=$?; }
# jnum KEY: the last number called KEY in $out (JSON totals come last).
jnum() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" "$out" | tail -n 1; }
result() { # name status detail
	if [ "$2" = 0 ]; then pass "$1 ($3)"; else fail "$1: $3"; fi
}
# done_pfns: the pfns of the result lines in $out whose block is done.
done_pfns() { sed -n 's/^block [0-9]* pfn \(0x[0-9a-f]*\): ok, done.*/\1/p' "$out"; }

hctl hello
grep -q '^capabilities: 0x7 map vacate census$' "$out"
result hostvacate-hello-says-vacate $? "rc $rc: $(tr '\n' ' ' < "$out")"

# The census through the agent: the text and the JSON agree.
hctl census
text=$(sed -n 's/^otherwise-free blocks: \([0-9]*\), slab pages in them: \([0-9]*\)$/\1 \2/p' "$out")
r1=$rc cover=$(grep -c '^cover 90%: ' "$out")
hctl census --json --top 3
json=$(python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); print(c["blocks"], c["slab_pages"])' "$out" 2>&1)
[ $r1 = 0 ] && [ $rc = 0 ] && [ -n "$text" ] && [ "$cover" = 1 ]
result hostvacate-census $? "text: ${text:-none} (rc $r1), json: $json (rc $rc)"

hctl vacate --cheapest all --mode probe --json
[ $rc = 0 ] && [ "$(jnum acted)" -gt 0 ] && [ "$(jnum pages_migrated)" = 0 ] &&
	[ "$(jnum objects_moved)" = 0 ] && [ "$(jnum free_blocks_before)" = "$(jnum free_blocks_after)" ]
result hostvacate-probe-moves-nothing $? "rc $rc, $(jnum acted) candidates, $(jnum done) possible: $(head -c 300 "$err")"

# refused NAME WANT ARGS...: exit 1, the guest's errno and what it means.
refused() {
	local name=$1 want=$2; shift 2
	hctl vacate --mode free "$@"
	[ $rc = 1 ] && grep -q "$want" "$err" && grep -q "the guest kernel says: " "$err" && [ ! -s "$out" ]
	result "$name" $? "rc $rc: $(tr '\n' ' ' < "$err")"
}
refused hostvacate-refuses-unaligned 'errno 22' --pfn 0x20001
refused hostvacate-refuses-outside-ram 'errno 34' --pfn 0x10000000
refused hostvacate-refuses-repeated 'errno 22' --pfn 0x20000 --pfn 0x20000

# Malformed VACATE payloads straight to the agent: BAD_PAYLOAD, and the
# agent still answers.  Header fields: mode, count, flags, reserved.
le32() { printf '%02x%02x%02x%02x' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)); }
bad_payload() {
	local name=$1 why=$2 hex=$3
	hctl send-raw --timeout 20 --expect 1 --frame "3:$4:$hex"
	grep -qE "seq=$4 .*bad payload.*$why" "$out" && "$ctl" hello --socket "$sock" > /dev/null 2>&1
	result "hostvacate-agent-refuses-$name" $? "$(tr '\n' ' ' < "$out")"
}
bad_payload count-0 'count 0' "$(le32 1)$(le32 0)$(le32 1)$(le32 0)" 31
bad_payload unknown-mode 'unknown mode 7' "$(le32 7)$(le32 1)$(le32 1)$(le32 0)" 32
bad_payload too-many 'count 513' "$(le32 1)$(le32 513)$(le32 0)$(le32 0)" 33
bad_payload missing-pfn 'bytes for that many pfns' "$(le32 1)$(le32 2)$(le32 0)$(le32 0)0000020000000000" 34
bad_payload unknown-flag 'unknown flags 0x2' "$(le32 1)$(le32 1)$(le32 3)$(le32 0)" 35

hctl vacate --cheapest 8 --mode free --json
before=$(jnum free_blocks_before) after=$(jnum free_blocks_after)
[ $rc = 0 ] && [ "$(jnum done)" -gt 0 ] && [ "$after" -gt "$before" ]
result hostvacate-free-cheapest $? "rc $rc, $(jnum done) of $(jnum acted) blocks emptied, $(jnum pages_migrated) pages migrated, fully free blocks $before -> $after"

# HOLD: the agent keeps the blocks after the connection closes, until
# RELEASE_REQ; a probe in between says they are held.
hctl vacate --cheapest 2 --mode hold
held=$(done_pfns)
[ $rc = 0 ] && [ -n "$held" ] && grep -q "holds .* blocks until 'vmcompactctl release'" "$err"
result hostvacate-hold $? "rc $rc, held: $(echo $held)"
pick=$(for p in $held; do echo --pfn $p; done)
if [ -n "$held" ]; then
	hctl vacate $pick --mode probe
	[ $rc = 0 ] && [ "$(grep -c 'why: held 512' "$out")" = "$(wc -w <<<"$held")" ]
	result hostvacate-held-across-connections $? "rc $rc: $(head -n 2 "$out" | tr '\n' ' ')"
	hctl release
	r1=$rc
	hctl vacate $pick --mode probe
	[ $r1 = 0 ] && [ $rc = 0 ] && [ "$(grep -c 'ok, was free' "$out")" = "$(wc -w <<<"$held")" ]
	result hostvacate-release $? "release rc $r1, probe rc $rc: $(head -n 2 "$out" | tr '\n' ' ')"
fi

# The guest's files, checked after everything above.
vm_fragmented_intact h hostvacate-files-intact
vm_guest_results h "hostvacate-"
vm_clean_log h hostvacate-clean-log "$KERNEL_REPORT_RE"
