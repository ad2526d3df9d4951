# Static keys switched while the other vCPUs run through their jump sites:
# scheduler features (debugfs sched/features, stock kernel code, each
# switch a text_poke_bp() of every site) flipped for vmc.keys_secs=
# seconds (default 60) while three pipes ping-pong.  Under QEMU 7.2's
# multi-threaded TCG this dies of an "int3" oops within minutes; the
# host's test runs it with one TCG thread, as tests/host/kunit.sh runs
# the KUnit suites (whose slab_notify cases switch a key).
secs=$(vmc-param keys_secs 60)
mount -t debugfs none /sys/kernel/debug 2>/dev/null
f=/sys/kernel/debug/sched/features
for i in 1 2 3; do
	( while :; do echo x; done | while read -r a; do :; done ) &
done
end=$(($(date +%s) + secs)) n=0 bad=0
while [ "$(date +%s)" -lt $end ]; do
	for feat in WAKEUP_PREEMPTION TTWU_QUEUE HRTICK NEXT_BUDDY; do
		echo NO_$feat > $f && echo $feat > $f || bad=$((bad + 1))
	done
	n=$((n + 1))
done
if [ $n -gt 0 ] && [ $bad = 0 ]; then
	echo "PASS static-keys-switched ($((n * 8)) switches in $secs s)"
else
	echo "FAIL static-keys-switched: $n rounds, $bad writes to $f failed"
fi
echo "vmcompact-static-keys: done"
