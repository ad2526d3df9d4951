# For tests/host/hostvacate.sh and vmcompactd.sh: fragment tmpfs (small
# files between big ones, then most of them gone), say "ready", and from
# then on check the files that stay every 2 seconds ("fragmented: check
# N: ... ok|BAD"), while the host empties blocks through the agent.
mkdir /tmp/f
vmc-fragment /tmp/f 3 40 3000 > /dev/null || echo "FAIL fragmented-workload: vmc-fragment failed"
rm /tmp/f/big* /tmp/f/small*/f*[1-9]
echo "vmcompact-fragmented: ready"
n=0
while :; do
	sleep 2
	n=$((n + 1))
	bad=0
	for r in 0 1 2; do
		bad=$((bad + $(grep -L -x "/tmp/f/small$r" /tmp/f/small$r/f* | wc -l)))
	done
	files=$(ls /tmp/f/small*/ | grep -c '^f')
	if [ $bad = 0 ] && [ "$files" = 900 ]; then
		echo "fragmented: check $n: $files files ok"
	else
		echo "fragmented: check $n: $files files, $bad changed: BAD"
	fi
done
