# The fragmentation scenario of ENVIRONMENT.md, full size, and the figures
# of issue 4 (tests/guest/payloads/scenario.sh).  About 6 minutes in TCG.
source "$(dirname "$0")/../lib.sh"

rounds=20 big=120 files=20000
"$root/scripts/scenario-disk" "$run/disk.img" $rounds $big $files
# Free page reporting takes free 2 MiB blocks off the free lists while it
# reports them, so a map taken meanwhile counts fewer free blocks than
# there are: off here, for figures that do not depend on when they are read.
vm_payload_test scenario 2100 --mem 1024 --disk "$run/disk.img" --no-page-reporting \
	--append "vmc.rounds=$rounds vmc.big_mb=$big vmc.files=$files"
