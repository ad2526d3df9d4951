#!/bin/sh
# The fragmentation scenario of ENVIRONMENT.md on ext4: DEV (default
# /dev/vdb), a fresh 4 GiB ext4 made with `mkfs.ext4 -N 500000`
# (the host makes it: tests/lib.sh ext4_scenario_disk), mounted on /mnt;
# ROUNDS rounds (default 16) of a BIG_MB MiB file (default 100) and FILES
# small files (default 25,000) by vmc-fragment; then the page cache is
# dropped.  Arguments: DEV [ROUNDS BIG_MB FILES].
. "$(dirname "$0")/lib.sh"
dev=${1:-/dev/vdb} rounds=${2:-16} big=${3:-100} files=${4:-25000}
start=$(wl_secs)
mkdir -p /mnt
mount -t ext4 "$dev" /mnt || { echo "ext4-scenario: cannot mount $dev"; exit 1; }
vmc-fragment /mnt "$rounds" "$big" "$files" > /dev/null || { echo "ext4-scenario: vmc-fragment failed"; exit 1; }
sync
echo 1 > /proc/sys/vm/drop_caches
echo "ext4-scenario: $rounds rounds of a $big MiB file and $files small files on $dev"
wl_took ext4-scenario "$start"
