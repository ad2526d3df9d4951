# For tests/host/balloon.sh: touch most of guest RAM (files on tmpfs,
# then deleted), so that the host's memfd is populated; hold 4 blocks
# (vacatectl, HOLD), which the balloon must take first, and say which;
# then stay up while the host inflates and deflates the balloon.
mount -t tmpfs -o size=90% none /mnt
vmc-fragment /mnt 6 100 2000 > /dev/null || echo "FAIL balloon-workload: vmc-fragment failed"
rm -rf /mnt/*
umount /mnt
vacatectl vacate --cheapest 4 --mode hold --hold-seconds 3600 > /tmp/held.out 2> /tmp/held.err &
for i in $(seq 1 60); do
	grep -q "holding" /tmp/held.err && break
	sleep 1
done
sed -n 's/^block [0-9]* pfn \(0x[0-9a-f]*\): ok, done.*/\1/p' /tmp/held.out | sed 's/^/balloon: held /'
echo "vmcompact-balloon: ready"
while :; do sleep 60; done
