# Check /dev/vacate's map against /proc/meminfo, then stay up and print
# the /proc figures once a second for the host's own comparison.
sleep 1
/bin/vmc-mapcheck
echo "vmcompact-mapcheck: done"
while :; do
	echo "meminfo: $(grep -E '^(MemFree|Slab):' /proc/meminfo | tr -s ' ' | tr '\n' ' ')"
	sleep 1
done
