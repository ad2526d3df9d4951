# Workingset shadow nodes moved by the range vacate
# (tests/guest/payloads/churn.sh): a 1400 MiB file in a 1 GiB guest.
source "$(dirname "$0")/../lib.sh"

ext2_disk 2G
vm_payload_test churn 1500 --mem 1024 --disk "$run/disk.img" --no-page-reporting
