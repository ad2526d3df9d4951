#!/bin/sh
# run.sh NAME...: run the named workloads of this directory in order, each
# followed by the census (wl_census); "PASS workload-NAME (...)" or
# "FAIL workload-NAME: ..." for each.  Used by tests/host/debian-workloads.sh
# (through qemu-guest-agent) and by the bench.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
st=0
for w in "$@"; do
	if [ ! -f "$here/$w.sh" ]; then
		echo "FAIL workload-$w: no such workload"; st=1; continue
	fi
	sh "$here/$w.sh" > /tmp/wl-$w.out 2>&1
	rc=$?
	cat /tmp/wl-$w.out
	wl_census "$w"
	if [ $rc = 0 ]; then
		echo "PASS workload-$w ($(grep "^$w: took" /tmp/wl-$w.out | sed "s/^$w: //"))"
	else
		echo "FAIL workload-$w: exited $rc"; st=1
	fi
done
exit $st
