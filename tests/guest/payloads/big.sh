# For tests/host/big-guests.sh (guests above 2 GiB): fragment tmpfs in
# proportion to the guest's memory (a round, a 100 MB file and 5,000 small
# files, per 512 MiB; then the big files and 9 small files in 10 go), say
# "ready", and from then on check the files that stay every 5 seconds
# ("big: check N: ... ok|BAD") while the host empties blocks.
mem=$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)
rounds=$((mem / 512))
mkdir /tmp/f
start=$(cut -d' ' -f1 /proc/uptime)
vmc-fragment /tmp/f $rounds 100 5000 > /dev/null || echo "FAIL big-workload: vmc-fragment failed"
rm /tmp/f/big* /tmp/f/small*/f*[1-9]
echo "big: $mem MiB, $rounds rounds, fragmented in $(awk -v a="$start" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN { printf "%.1f", b - a }') s"
want=$(ls /tmp/f/small*/ | grep -c '^f')
echo "vmcompact-big: ready"
n=0
while :; do
	sleep 5
	n=$((n + 1))
	bad=0 r=0
	while [ $r -lt $rounds ]; do
		bad=$((bad + $(grep -L -x "/tmp/f/small$r" /tmp/f/small$r/f* | wc -l)))
		r=$((r + 1))
	done
	files=$(ls /tmp/f/small*/ | grep -c '^f')
	if [ $bad = 0 ] && [ "$files" = "$want" ]; then
		echo "big: check $n: $files files ok"
	else
		echo "big: check $n: $files files of $want, $bad changed: BAD"
	fi
done
