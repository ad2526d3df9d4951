# The fragmentation scenario of ENVIRONMENT.md (vmc-scenario), for the
# demo: the workload, the guest's view of it (meminfo, and the slab
# caches that keep blocks from being free), then stay up while the host
# empties blocks through the agent.
vmc-scenario || { echo "vmcompact-fragment: failed"; exit 1; }
grep -E '^(MemFree|Slab|SReclaimable|SUnreclaim):' /proc/meminfo
vacatectl census --top 8 2>&1 | sed 's/^/census: /'
echo "vmcompact-fragment: done"
while :; do sleep 3600; done
