# Targeted reclaim of dentries and ext2 inodes by the range vacate, on a
# real ext2 disk (tests/guest/payloads/reclaim.sh).
source "$(dirname "$0")/../lib.sh"

ext2_disk 512M 40000
vm_payload_test reclaim 600 --disk "$run/disk.img"
