# The fragmentation scenario of ENVIRONMENT.md on ext4 (issue 9): a 1 GiB
# busybox guest, a fresh 4 GiB ext4 (mkfs.ext4 -N 500000; ENVIRONMENT.md's
# 3 GiB cannot hold the files), 16 rounds of a 100 MB file and 25,000
# small files, drop_caches 1; then, every baseline
# measured in the same guest (tests/guest/workloads/figures.sh):
#   ext4-scenario-half-drops-at-most-10pct  half the blocks still missing
#                                           after compaction drop at most
#                                           10% of the reclaimable slab
#   ext4-scenario-half-frees-75pct-of-those-asked   and free at least 75%
#                                           of the blocks asked for
#   ext4-scenario-all-makes-95pct           --cheapest all: at least 95% of
#                                           the free blocks possible
#   ext4-scenario-files-intact, ext4-scenario-clean-log
# The two figures need the ext4 callbacks of the series.
source "$(dirname "$0")/../lib.sh"

ext4_scenario_disk "$run/disk.img"
workloads_cpio "$run/workloads.cpio.gz"
# Free page reporting off: figures that do not depend on when the map is read.
vm_payload_test ext4-scenario 2400 --mem 1024 --disk "$run/disk.img" --no-page-reporting \
	--initrd "$root/build/guest/initramfs.cpio.gz" --initrd "$run/workloads.cpio.gz"
