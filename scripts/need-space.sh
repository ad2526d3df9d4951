#!/bin/bash
# need-space.sh: stop early, and say why, when the filesystem under build/
# cannot hold a build and a test run.  Measured on a clean clone: the
# kernel tree with its git history 1.7 GiB, objects 0.2 GiB, ccache up to
# 0.4 GiB, and the largest guest disk of a test (the scenario's) 4 GiB.
# A tree already unpacked needs 2 GiB less.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
need=7
[ -d "$root/build/kernel/src/.git" ] && need=5
mkdir -p "$root/build"
have_kib=$(df -Pk "$root/build" | awk 'NR == 2 { print $4 }')
if [ "$have_kib" -lt $((need * 1024 * 1024)) ]; then
	echo "need-space: $root/build has $((have_kib / 1024)) MiB free; a build and a test run need $need GiB" >&2
	echo "need-space: old guest disks of earlier runs may be in $root/build/run (rm -rf $root/build/run)" >&2
	exit 1
fi
