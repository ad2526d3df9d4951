#!/bin/bash
# bench/timed.sh NAME COMMAND...: run COMMAND, and add "NAME SECONDS RC" to
# build/bench/build-times.txt (the builds make bench starts with, which
# the report states beside the bench's own time).  NAME "-" empties the
# file first.
root=$(cd "$(dirname "$0")/.." && pwd)
f=$root/build/bench/build-times.txt
mkdir -p "$(dirname "$f")"
name=$1
shift
if [ "$name" = - ]; then : > "$f"; name=$1; shift; fi
start=$(date +%s.%N)
"$@"
rc=$?
echo "$name $(echo "$(date +%s.%N) - $start" | bc) $rc" >> "$f"
exit $rc
