# Guests above 2 GiB (issue 9, the guest half): a 4 GiB and an 8 GiB
# busybox guest (TCG) boot, fragment tmpfs (tests/guest/payloads/big.sh),
# and the host, through the agent, times a CHEAPEST scan of every block
# (vmcompactctl vacate --cheapest all --mode probe: VACATE_IOC_CHEAPEST)
# and empties the 64 cheapest blocks (FREE); the files stay intact.
#   big-MIB-boots, big-MIB-cheapest-scan, big-MIB-vacate, big-MIB-files-intact,
#   big-MIB-clean-log
# (The host check of blocks above the PCI hole is vmcompactd's: not here.)
source "$(dirname "$0")/../lib.sh"
ctl=$root/build/host/vmcompactctl
jnum() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" "$2" | tail -n 1; }
ms() { awk -v n="$1" 'BEGIN { printf "%.0f", n / 1e6 }'; }

for mem in ${BIG_GUESTS_MIB:-4096 8192}; do
	n=big-$mem
	t0=$SECONDS
	vm_start $n --payload big --mem $mem --timeout 1200 --append no_timer_check
	if ! vm_wait_for $n "vmcompact-big: ready" 900; then
		fail "$n-boots: the payload did not get ready"
		vm_kill_all
		continue
	fi
	pass "$n-boots (ready after $((SECONDS - t0)) s wall: $(vm_console $n | grep -a '^big: [0-9]* MiB')"
	sock=$run/$n/vmc.sock

	"$ctl" vacate --socket "$sock" --cheapest all --mode probe --json > "$run/$n.probe" 2> "$run/$n.err"
	rc=$?
	wall=$(jnum wall_ns "$run/$n.probe")
	if [ $rc = 0 ] && [ -n "$wall" ]; then
		pass "$n-cheapest-scan (VACATE_IOC_CHEAPEST probe of every block: $(ms "$wall") ms in the guest kernel, $(jnum acted "$run/$n.probe") blocks acted on, $(jnum done "$run/$n.probe") possible, $(jnum free_blocks_before "$run/$n.probe") fully free, $(jnum free_blocks_possible "$run/$n.probe") possible by free memory)"
	else
		fail "$n-cheapest-scan: rc $rc: $(head -c 300 "$run/$n.err")"
	fi

	"$ctl" vacate --socket "$sock" --cheapest 64 --mode free --json > "$run/$n.free" 2> "$run/$n.err"
	rc=$?
	before=$(jnum free_blocks_before "$run/$n.free") after=$(jnum free_blocks_after "$run/$n.free")
	if [ $rc = 0 ] && [ "$(jnum done "$run/$n.free")" -gt 0 ] && [ "$after" -gt "$before" ]; then
		pass "$n-vacate ($(jnum done "$run/$n.free") of 64 blocks emptied in $(ms "$(jnum wall_ns "$run/$n.free")") ms, $(jnum pages_migrated "$run/$n.free") pages migrated, $(jnum objects_moved "$run/$n.free") objects moved, fully free $before -> $after)"
	else
		fail "$n-vacate: rc $rc, $(jnum done "$run/$n.free") done, fully free $before -> $after: $(head -c 300 "$run/$n.err")"
	fi

	vm_files_intact $n big "$n-files-intact"
	vm_guest_results $n "$n-"
	vm_clean_log $n $n-clean-log "$KERNEL_REPORT_RE"
	vm_kill_all
	echo "big: $n took $((SECONDS - t0)) s wall"
done
