#!/bin/sh
# find and tar over /usr: stat every file (find -ls), then read them all
# (tar to a checksum); ROUNDS times (default 1).
. "$(dirname "$0")/lib.sh"
rounds=$(wl_rounds findtar 1)
start=$(wl_secs)
i=0
while [ $i -lt "$rounds" ]; do
	n=$(find /usr -xdev -ls | wc -l)
	sum=$(tar -cf - /usr 2>/dev/null | cksum)
	i=$((i + 1))
	echo "findtar: round $i: $n entries under /usr, tar cksum/size $sum"
done
wl_took findtar "$start"
