# Repeated vacates in every mode with data checked each time
# (tests/guest/payloads/repeat.sh).
source "$(dirname "$0")/../lib.sh"

ext2_disk 512M 20000
vm_payload_test repeat 900 --disk "$run/disk.img"
