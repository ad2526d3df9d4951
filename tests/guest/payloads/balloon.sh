# For tests/host/balloon.sh: touch most of guest RAM (files on tmpfs,
# then deleted), so that the host's memfd is populated, then stay up
# while the host inflates and deflates the balloon.
mount -t tmpfs -o size=90% none /mnt
vmc-fragment /mnt 6 100 2000 > /dev/null || echo "FAIL balloon-workload: vmc-fragment failed"
rm -rf /mnt/*
umount /mnt
echo "vmcompact-balloon: ready"
while :; do sleep 60; done
