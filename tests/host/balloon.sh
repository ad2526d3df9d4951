# The huge-block balloon: inflating gives the host whole 2 MiB blocks of
# guest RAM, seen on the host as 2 MiB ranges of the guest's memfd going
# from populated to holes; deflating gives them back to the guest.  Free
# page reporting is off, so that only the balloon returns memory.
#
# Free page accounting: the guest's NR_FREE_PAGES (/proc/vmstat
# nr_free_pages, MemFree, the balloon's stat-free-memory) must agree with
# the free pages the /dev/vacate map counts in the buddy lists, and stay
# below MemTotal, after FREE, HOLD and release in the guest, and after
# inflating (whole blocks, then 4 KiB pages) and deflating.  Isolating a
# block without taking its free pages off NR_FREE_PAGES made it grow by
# about a block per block the balloon took, past MemTotal.
#
# Balloon pages are PageOffline (KPF_OFFLINE in the guest's
# /proc/kpageflags), whole blocks as well as 4 KiB pages, so that kdump
# and hibernation in the guest do not read what the host took back: after
# inflating, the guest's offline pages cover the balloon (and each block it
# held, which the balloon takes first, is offline whole); after deflating
# they drop back to what they were before, less the blocks the guest held
# (held blocks are PageOffline too, and went to the balloon).
source "$(dirname "$0")/../lib.sh"

mem=1024 inflate=256
memfd_blocks() { python3 "$root/tests/host/lib/memfd-blocks.py" "$(cat "$run/b/qemu.pid")" $mem; }
balloon_actual() { vm_qmp b '{"execute":"query-balloon"}' | sed -n 's/.*"actual": *\([0-9]*\).*/\1/p'; }
# balloon_to MIB: set the target, wait up to 600 s for the guest to get there.
balloon_to() {
	local want=$(($1 << 20)) deadline=$((SECONDS + 600)) now
	vm_balloon b $want
	while [ $SECONDS -lt $deadline ]; do
		now=$(balloon_actual)
		[ "$now" = $want ] && return 0
		sleep 1
	done
	echo "balloon: stuck at ${now:-?} bytes, wanted $want"
	return 1
}

vm_start b --mem $mem --payload balloon --no-page-reporting --timeout 1500 \
	--append vacate_resched.check=1
if ! vm_wait_for b "vmcompact-balloon: ready" 600; then
	fail "balloon-guest: the payload did not get ready"
	exit 1
fi
before=$(memfd_blocks)
vm_qom_set b /machine/peripheral/balloon0 guest-stats-polling-interval 2

# The balloon's stat-free-memory, read at another moment than the host's
# map, and the map's free pages agree within stats_tol pages.
stats_tol=2048
# free_pages_line STEP: the guest's last "free-pages STEP" line (waiting
# up to 120 s for one).
free_pages_line() {
	local deadline=$((SECONDS + 120)) l
	while [ $SECONDS -lt $deadline ]; do
		l=$(vm_console b | grep -a "^balloon: free-pages $1 " | tail -n 1)
		[ -n "$l" ] && echo "$l" && return 0
		sleep 1
	done
	return 1
}
# free_pages_check TEST STEP...: PASS TEST if at every STEP the guest's
# map agreed with MemFree (vmc-mapcheck's map-free-matches-memfree) and
# MemFree <= MemTotal.
free_pages_check() {
	local t=$1 s l f total verdict rest ok=1 detail=""
	shift
	for s in "$@"; do
		if ! l=$(free_pages_line "$s"); then
			ok=0 detail+="; $s: no free-pages line from the guest"
			continue
		fi
		read -r _ _ _ f total verdict rest <<<"$l"
		f=${f#memfree_kb=} total=${total#memtotal_kb=}
		[ "$verdict" = PASS ] && [ "$f" -le "$total" ] || ok=0
		detail+="; $s: $verdict $rest, MemFree $f of $total kB"
	done
	detail=${detail#; }
	if [ $ok = 1 ]; then
		pass "$t ($detail)"
	else
		fail "$t: $detail"
	fi
}
# stats_check TEST MEMTOTAL_KB: wait for balloon stats taken from now on
# with that total, then PASS TEST if stat-free-memory <= stat-total-memory
# and within $stats_tol pages of the map's free pages (host, agent).  The
# guest's own checks come and go meanwhile: up to 3 tries.
stats_check() {
	local t=$1 want=$(($2 * 1024)) since deadline try free total upd map detail ok=0
	for try in 1 2 3; do
		since=$(date +%s) deadline=$((SECONDS + 60)) free="" total="" upd=0
		while [ $SECONDS -lt $deadline ]; do
			read -r free total upd < <(vm_qmp b '{"execute":"qom-get","arguments":{"path":"/machine/peripheral/balloon0","property":"guest-stats"}}' |
				python3 -c 'import json, sys
r = json.load(sys.stdin).get("return", {})
s = r.get("stats", {})
print(s.get("stat-free-memory", -1), s.get("stat-total-memory", -1), r.get("last-update", 0))')
			[ "$total" = $want ] && [ "${upd:-0}" -ge $since ] && break
			sleep 1
		done
		if [ "$total" != $want ] || [ "${upd:-0}" -lt $since ]; then
			detail="no fresh balloon stats with stat-total-memory $want (last: free ${free:-?} total ${total:-?})"
			continue
		fi
		map=$("$root/build/host/vmcompactctl" map --socket "$run/b/vmc.sock" | sed -n 's/^free  *\([0-9]*\) .*/\1/p')
		detail="stat-free-memory $((free >> 20)) MiB ($((free / 4096)) pages) of stat-total-memory $((total >> 20)) MiB; map: ${map:-?} free pages"
		if [ -n "$map" ] && [ $free -le $total ] &&
		   [ $((free / 4096 - map)) -le $stats_tol ] && [ $((map - free / 4096)) -le $stats_tol ]; then
			ok=1
			break
		fi
	done
	if [ $ok = 1 ]; then
		pass "$t ($detail)"
	else
		fail "$t: $detail (tolerance $stats_tol pages)"
	fi
}

# offline_line STEP: the guest's last "offline-pages STEP" line (waiting
# up to 120 s for one).
offline_line() {
	local deadline=$((SECONDS + 120)) l
	while [ $SECONDS -lt $deadline ]; do
		l=$(vm_console b | grep -a "^balloon: offline-pages $1 " | tail -n 1)
		[ -n "$l" ] && echo "$l" && return 0
		sleep 1
	done
	return 1
}
# offline_check TEST STEP BALLOON_PAGES [held]: PASS TEST if at STEP the
# guest has exactly $offline0 + BALLOON_PAGES PageOffline pages (the
# balloon's own and those offline before but for the blocks the guest held,
# which the balloon took: nothing else here takes pages offline), and with "held",
# if each block the guest held is offline whole.
offline_check() {
	local t=$1 step=$2 want=$(($3 + offline0)) l total held bad=0 h
	if ! l=$(offline_line "$step"); then
		fail "$t: no offline-pages $step line from the guest"
		return
	fi
	total=$(sed -n 's/.* total=\([0-9]*\) .*/\1/p' <<<"$l")
	held=$(sed -n 's/.* held=\([0-9,]*\)$/\1/p' <<<"$l")
	if [ "${4:-}" = held ]; then
		for h in ${held//,/ }; do [ "$h" = 512 ] || bad=$((bad + 1)); done
		[ -n "$held" ] || bad=1
	fi
	if [ "${total:-x}" = "$want" ] && [ $bad = 0 ]; then
		pass "$t ($3 pages in the balloon, $total PageOffline pages in the guest${4:+; offline pages of each block it held first: $held})"
	else
		fail "$t: ${total:-no} PageOffline pages in the guest, want $want ($3 in the balloon + $offline0 before, held blocks aside)${4:+; offline pages of each block it held first, of 512: ${held:-none held}}"
	fi
}

vm_console b | grep -a '^balloon: \(FREE\|HOLD\) '
free_pages_check balloon-free-pages-vacate holding-4 after-free holding-2 released-2
base=$(free_pages_line released-2 | sed -n 's/.* memtotal_kb=\([0-9]*\) .*/\1/p')
base=${base:-0}
offline0=$(offline_line released-2 | sed -n 's/.* total=\([0-9]*\) .*/\1/p')
held_blocks=$(vm_console b | sed -n 's/^balloon: held //p' | wc -w)
offline0=$(( ${offline0:-0} - held_blocks * 512 ))

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
	held=$(vm_console b | sed -n 's/^balloon: held //p')
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
	free_pages_check balloon-free-pages-inflate "memtotal-$((base - inflate * 1024))"
	offline_check balloon-pages-offline-blocks "memtotal-$((base - inflate * 1024))" $((inflate * 256)) held
	stats_check balloon-stats-inflate $((base - inflate * 1024))
	# 1 MiB more, less than a block: the balloon's 4 KiB pages.
	if balloon_to $((mem - inflate - 1)); then
		free_pages_check balloon-free-pages-4k "memtotal-$((base - (inflate + 1) * 1024))"
		offline_check balloon-pages-offline-4k "memtotal-$((base - (inflate + 1) * 1024))" $(((inflate + 1) * 256))
	else
		fail "balloon-free-pages-4k: the balloon did not reach $((mem - inflate - 1)) MiB"
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
	free_pages_check balloon-free-pages-deflate "memtotal-$base"
	offline_check balloon-pages-offline-deflate "memtotal-$base" 0
	stats_check balloon-stats-deflate $base
else
	fail "balloon-deflates: the balloon did not go back to $mem MiB"
fi
vm_clean_log b balloon-clean-log "$KERNEL_REPORT_RE"
