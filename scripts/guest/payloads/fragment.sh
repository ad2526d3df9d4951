# The fragmentation scenario of ENVIRONMENT.md (vmc-scenario), for the demo.
vmc-scenario || { echo "vmcompact-fragment: failed"; exit 1; }
echo "vmcompact-fragment: done"
grep -E '^(MemFree|Slab|SReclaimable|SUnreclaim):' /proc/meminfo
# vmc.vacate=1: after the host had vmc.vacate_delay= seconds (default 20)
# to read the fragmented map, empty the cheapest blocks.
vacate=0 delay=20
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	vmc.vacate=*) vacate=${arg#vmc.vacate=} ;;
	vmc.vacate_delay=*) delay=${arg#vmc.vacate_delay=} ;;
	esac
done
if [ "$vacate" = 1 ]; then
	sleep "$delay"
	vacatectl census --top 8 2>&1 | sed 's/^/census: /'
	vacatectl vacate --cheapest all --mode free > /tmp/vacate.out 2>&1
	# Totals, and the blocks that could not be emptied with their reasons.
	grep -v '^block .*: ok' /tmp/vacate.out | sed 's/^/vacate: /'
	echo "vmcompact-fragment: vacated"
fi
while :; do sleep 3600; done
