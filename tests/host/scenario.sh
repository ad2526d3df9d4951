# The fragmentation scenario of ENVIRONMENT.md, full size, and the figures
# of issue 4 (tests/guest/payloads/scenario.sh).  About 6 minutes in TCG.
source "$(dirname "$0")/../lib.sh"

rounds=20 big=120 files=20000
truncate -s $(( (rounds * big + rounds * files * 8 / 1024) * 2 + 512 ))M "$run/disk.img"
mkfs.ext2 -q -F -N $((rounds * files + 1024)) "$run/disk.img"
# Free page reporting takes free 2 MiB blocks off the free lists while it
# reports them, so a map taken meanwhile counts fewer free blocks than
# there are: off here, for figures that do not depend on when they are read.
vm_start s --mem 1024 --payload scenario --disk "$run/disk.img" --timeout 2400 --no-page-reporting \
	--append "vmc.rounds=$rounds vmc.big_mb=$big vmc.files=$files"
if ! vm_wait_for s "vmcompact-scenario: done" 2100; then
	fail "scenario-guest: the payload did not finish"
	exit 1
fi
grep -a '^scenario: ' "$run/s/console.log" | tr -d '\r'
vm_guest_results s ""
vm_clean_log s scenario-clean-log "BUG:|WARNING:|Oops|VFS: Busy inodes"
