# Unmount races (tests/guest/payloads/umount-race.sh) on the test kernel,
# an ext2 and an ext4 disk, with a window of UMOUNT_RACE_DELAY_MS (default
# 20; tests/long/umount-race.sh: 1000) between isolate() and migrate() of
# every mobile cache: umount must wait for the superblock pins of the
# dentry and inode callbacks.  Then fsck on the host.
source "$(dirname "$0")/../lib.sh"

# umount_race_test VM SECS PREFIX [vm-run options]
umount_race_test() {
	local vm=$1 secs=$2 prefix=$3 fs
	shift 3
	for fs in ext2 ext4; do
		truncate -s 256M "$run/$vm-$fs.img"
		mkfs.$fs -q -F -N 20000 "$run/$vm-$fs.img"
	done
	vm_start "$vm" --payload umount-race --disk "$run/$vm-ext2.img" \
		--disk "$run/$vm-ext4.img" --timeout $((secs * 4 + 900)) \
		--append "vmc.race_secs=$secs vmc.migrate_delay=${UMOUNT_RACE_DELAY_MS:-20} vmc.race_fs=ext2,ext4" "$@"
	if ! vm_wait_for "$vm" "vmcompact-umount-race: done" $((secs * 4 + 600)); then
		fail "${prefix}umount-race-finished: the payload did not finish"
		return
	fi
	vm_console $vm | grep -a "^umount-race: "
	vm_guest_results "$vm" "$prefix"
	wait "${vm_pid_of[$vm]}" 2>/dev/null
	for fs in ext2 ext4; do
		if e2fsck -fn "$run/$vm-$fs.img" > "$run/$vm-$fs.fsck" 2>&1; then
			pass "${prefix}umount-race-fsck-$fs"
		else
			fail "${prefix}umount-race-fsck-$fs: e2fsck found errors"
			tail -n 20 "$run/$vm-$fs.fsck"
		fi
		rm -f "$run/$vm-$fs.img"
	done
	vm_clean_log "$vm" "${prefix}umount-race-clean-log" \
		"$DEBUG_REPORT_RE|Call Trace"
}

[ "${BASH_SOURCE[0]}" = "$0" ] && umount_race_test ur 60 ""
