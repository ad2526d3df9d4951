# The huge-block balloon: inflating gives the host whole 2 MiB blocks of
# guest RAM, seen on the host as 2 MiB ranges of the guest's memfd going
# from populated to holes; deflating gives them back to the guest.  Free
# page reporting is off, so that only the balloon returns memory.
source "$(dirname "$0")/../lib.sh"

mem=1024 inflate=256
memfd_blocks() { python3 "$root/tests/host/lib/memfd-blocks.py" "$(cat "$run/b/qemu.pid")" $mem; }
balloon_actual() { vm_qmp b '{"execute":"query-balloon"}' | sed -n 's/.*"actual": *\([0-9]*\).*/\1/p'; }
# balloon_to MIB: set the target, wait up to 600 s for the guest to get there.
balloon_to() {
	local want=$(($1 << 20)) deadline=$((SECONDS + 600)) now
	vm_qmp b "{\"execute\":\"balloon\",\"arguments\":{\"value\":$want}}" > /dev/null
	while [ $SECONDS -lt $deadline ]; do
		now=$(balloon_actual)
		[ "$now" = $want ] && return 0
		sleep 1
	done
	echo "balloon: stuck at ${now:-?} bytes, wanted $want"
	return 1
}

vm_start b --mem $mem --payload balloon --no-page-reporting --timeout 1500
if ! vm_wait_for b "vmcompact-balloon: ready" 600; then
	fail "balloon-guest: the payload did not get ready"
	exit 1
fi
before=$(memfd_blocks)

if balloon_to $((mem - inflate)); then
	after=$(memfd_blocks)
	# Per block: released whole (populated before, none after), or in
	# part (fewer pages, some left): the latter must not happen.
	read -r whole partial pages < <(paste <(tr ' ' '\n' <<<"$before") <(tr ' ' '\n' <<<"$after") |
		awk '$2 < $1 { pages += $1 - $2; if ($2 == 0) whole++; else partial++ }
		     END { print whole + 0, partial + 0, pages + 0 }')
	detail="inflated by $inflate MiB: $whole blocks of 2 MiB released whole ($((pages / 256)) MiB), $partial in part"
	# At least 90% of the balloon in whole blocks (a few may have been
	# holes already), and nothing released in part.
	if [ "$partial" = 0 ] && [ "$whole" -ge $((inflate / 2 * 9 / 10)) ]; then
		pass "balloon-inflates-whole-blocks ($detail)"
	else
		fail "balloon-inflates-whole-blocks: $detail"
	fi
	# The blocks the guest held went first: all of them are holes now.
	held=$(tr -d '\r' < "$run/b/console.log" | sed -n 's/^balloon: held //p')
	gone=0 n=0
	for pfn in $held; do
		n=$((n + 1))
		[ "$(tr ' ' '\n' <<<"$after" | sed -n "$(( pfn / 512 + 1 ))p")" = 0 ] && gone=$((gone + 1))
	done
	if [ $n -gt 0 ] && [ $gone = $n ]; then
		pass "balloon-takes-held-blocks-first ($gone of the $n blocks the guest held released)"
	else
		fail "balloon-takes-held-blocks-first: $gone of the $n blocks the guest held released (${held:-none held})"
	fi
else
	fail "balloon-inflates-whole-blocks: the balloon did not reach its target"
fi

if balloon_to $mem; then
	free=$("$root/build/host/vmcompactctl" map --socket "$run/b/vmc.sock" | sed -n 's/^fully free blocks: *//p')
	if [ "${free:-0}" -ge $((inflate / 2)) ]; then
		pass "balloon-deflates (back to $mem MiB; the guest has $free fully free blocks)"
	else
		fail "balloon-deflates: back to $mem MiB, but the guest has ${free:-no} fully free blocks"
	fi
else
	fail "balloon-deflates: the balloon did not go back to $mem MiB"
fi
vm_clean_log b balloon-clean-log "BUG:|WARNING:|Oops|Bad page"
