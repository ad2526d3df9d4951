# Memory hotplug against the range vacate: while the host plugs and
# unplugs a virtio-mem device (tests/long/hotplug.sh), two loops ask for
# the cheapest blocks (probe of all of them, and FREE of 32), a third reads
# the map and the census, for vmc.hotplug_secs= seconds (default 120).
# Memory onlined between sizing the candidates and scanning them, or a
# block offlined between its check and its use, must not matter.
secs=120
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	vmc.hotplug_secs=*) secs=${arg#vmc.hotplug_secs=} ;;
	esac
done
stop=/tmp/hotplug.stop
loop() {
	local n=0
	while [ ! -e $stop ]; do
		"$@" > /dev/null 2>&1
		n=$((n + 1))
	done
	echo "hotplug: $n x $*"
}
echo "vmcompact-hotplug: running for $secs s"
loop vacatectl vacate --cheapest all --mode probe &
loop vacatectl vacate --cheapest 32 --mode free &
loop sh -c 'vacatectl map; vacatectl census' &
sleep "$secs"
touch $stop
wait
echo "hotplug: $(grep MemTotal /proc/meminfo)"
echo "vmcompact-hotplug: done"
