#!/bin/bash
# make bench: vmcompact against every alternative, measured side by side in
# one run (issue 10; bench/fragbench.py says what and how), then
# docs/results.md and its plots (bench/report.py).  Never pass/fail, but
# it exits non-zero when a measurement could not be taken at all (the
# report says which).  Everything runs under TCG here: wall-clock figures
# are this machine's, compared as ratios within the run.
#
# Outputs: build/bench/fragbench-TIMESTAMP.json (one per run; latest.json
# points at the last), docs/results.md, docs/results/*.png.
#
# (The old bench/run.sh exited 143: it sourced tests/lib.sh under set -e,
# whose EXIT trap waits for the guests it has just killed; under errexit
# that wait's status, 143, became the script's.  No set -e here, and the
# guests are the Python side's.)
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/build/bench
mkdir -p "$out"
start=$SECONDS
# Debian's interpreter, the one python3-matplotlib (make deps) is for,
# whatever python3 comes first in PATH.
py=/usr/bin/python3
"$py" -u "$root/bench/fragbench.py"
rc=$?
json=$(ls -t "$out"/fragbench-*.json 2>/dev/null | head -n 1)
if [ -z "$json" ]; then
	echo "bench: no results written" >&2
	exit 1
fi
ln -sfn "$(basename "$json")" "$out/latest.json"
"$py" "$root/bench/report.py" "$json" "$root/docs/results.md" || rc=1
echo "bench: $json, docs/results.md; $((SECONDS - start)) s"
exit $rc
