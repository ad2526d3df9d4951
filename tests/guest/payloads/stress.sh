# make test-long: alloc/free threads on every vCPU against the test cache
# while vacating and shrinking in a loop, for vmc.stress_secs= seconds
# (default 300); then every object is verified.
secs=300
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	vmc.stress_secs=*) secs=${arg#vmc.stress_secs=} ;;
	esac
done
d=/sys/kernel/debug/slub_mobility_test
echo "alloc 30000" > $d/control
echo "vmcompact-stress: running for $secs s"
if echo "stress $secs" > $d/control; then
	echo "vmcompact-stress: $(cat $d/status)"
else
	echo "vmcompact-stress: stress command failed"
fi
echo verify > $d/control
echo "vmcompact-stress: final $(cat $d/status)"
echo "vmcompact-stress: done"
