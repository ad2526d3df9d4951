# For make bench (bench/run.sh): the cost of mobility to SLUB, from the
# mobility test driver's bench command (a plain and a mobile cache of the
# same object size; frees in allocation order take the slow path).
# Prints "slub-bench: " lines, then "vmcompact-slub-bench: done".
c=/sys/kernel/debug/slub_mobility_test
for n in 4096 65536; do
	if echo "bench $n 5" > $c/control; then
		echo "slub-bench: $(cat $c/status)"
	else
		echo "slub-bench: bench $n failed"
	fi
done
echo "vmcompact-slub-bench: done"
