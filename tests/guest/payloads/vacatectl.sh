# vacatectl against the guest's /dev/vacate: the map, probes that move
# nothing, bad requests refused whole with the right errno, FREE of the
# cheapest blocks after fragmenting tmpfs, HOLD and its release, the
# census of the caches that keep blocks from being free (the mobile test
# cache among them), and the mobile test cache intact after its blocks
# are emptied.  Prints PASS/FAIL lines for tests/host/vacatectl.sh, then
# "vmcompact-vacatectl: done", the fixed lines of its map ("vctl-map:
# ...") and stays up for the host to compare them with vmcompactctl's.
d=/sys/kernel/debug/slub_mobility_test
out=/tmp/vctl.out err=/tmp/vctl.err

result() { # name status detail
	if [ "$2" = 0 ]; then echo "PASS $1 ($3)"; else echo "FAIL $1: $3"; fi
}
# vctl ARGS...: run vacatectl, output in $out and $err, status in $rc.
vctl() { vacatectl "$@" > $out 2> $err; rc=$?; }
# jnum KEY: the last number called KEY in $out (JSON totals come last).
jnum() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" $out; }
# block_json PFN: that block's object in the JSON map.
block_json() { vacatectl map --json | tr '{' '\n' | grep "^\"pfn\":$1,"; }
# field NAME TEXT: NAME's number in a block's JSON.
field() { echo "$2" | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }
# pfns FILE [STATUS]: the pfns of the result lines in FILE (with STATUS).
pfns() { sed -n "s/^block [0-9]* pfn \(0x[0-9a-f]*\): $2.*/\1/p" $1; }
# free_of PFN: the free pages of the block at PFN, from the map.
free_of() { field free "$(block_json $(($1)))"; }
# refused NAME ERRNO ARGS...: the kernel refuses the request with ERRNO,
# and vacatectl says why and which part of the request it is about.
refused() {
	name=$1 want=$2; shift 2
	vctl vacate "$@"
	[ $rc = 1 ] && grep -q "($want)" $err && [ "$(wc -l < $err)" = 2 ] &&
		[ ! -s $out ]
	result "$name" $? "rc $rc: $(tr '\n' ' ' < $err)"
}

# The map, as text and as JSON, describing the same blocks.
vctl map
text_blocks=$(sed -n 's/^blocks described: *//p' $out)
[ $rc = 0 ] && grep -q "^legend: " $out && grep -q "^fully free blocks: " $out &&
	[ "${text_blocks:-0}" -gt 0 ]
result map-text $? "rc $rc, $text_blocks blocks"
vctl map --json
bp=$(jnum block_pages) max_pfn=$(jnum max_pfn)
n=$(tr '{' '\n' < $out | grep -c '^"pfn":')
[ $rc = 0 ] && grep -q '^{"page_size":4096,"block_pages":512,' $out &&
	[ "$n" = "$text_blocks" ] && [ "$(jnum blocks)" = "$n" ]
result map-json $? "rc $rc, $n blocks, block_pages $bp, max_pfn $max_pfn"
last=$((max_pfn / bp - 1))

# Probes: one line per block, nothing moved.
vctl vacate --block 0 --block 100 --block $last --pfn 0x400 --mode probe
[ $rc = 0 ] && [ "$(grep -c '^block [0-9]* pfn 0x[0-9a-f]*: ' $out)" = 4 ] &&
	grep -q "^block $last pfn " $out && grep -q "^block 2 pfn 0x400: " $out &&
	grep -q '^pages migrated: *0$' $out && grep -q '^objects moved: *0$' $out &&
	! grep -q 'migrated [1-9]' $out
result probe-moves-nothing $? "rc $rc: $(head -n 4 $out | tr '\n' '|')"

# Fragment tmpfs: small files between big ones, then most of them gone.
mkdir /tmp/f
vmc-fragment /tmp/f 3 40 3000 > /dev/null
rm /tmp/f/big* /tmp/f/small*/f*[1-9]

vctl vacate --cheapest all --mode probe --json
[ $rc = 0 ] && [ "$(jnum acted)" -gt 2 ] && [ "$(jnum pages_migrated)" = 0 ] &&
	[ "$(jnum objects_moved)" = 0 ]
result cheapest-probe-moves-nothing $? "rc $rc, $(jnum acted) candidates, $(jnum done) possible"

# Bad requests, each naming a block that could be emptied: refused whole.
vctl vacate --cheapest 1 --mode probe
b=$(pfns $out)
before=$(block_json $((b)))
refused refuses-unaligned-pfn EINVAL --pfn $b --pfn $((b + bp + 1)) --mode free
refused refuses-pfn-outside-ram ERANGE --pfn $b --pfn $max_pfn --mode free
refused refuses-repeated-block EINVAL --pfn $b --block 3 --pfn $b --mode free
refused refuses-absurd-count E2BIG --cheapest 2000000 --mode free
refused refuses-zero-count EINVAL --cheapest 0 --mode free
refused refuses-bad-mode EINVAL --pfn $b --mode 3
after=$(block_json $((b)))
# Emptied, the block would be all free; its pages in use may come and go.
free0=$(field free "$before") free1=$(field free "$after")
[ -n "$b" ] && [ "$free0" -lt "$bp" ] && [ "$free1" -lt "$bp" ]
result bad-requests-change-nothing $? "block at pfn $b: $free0 free pages -> $free1, of $bp"
vctl vacate --pfn $b --mode evict
r1=$rc e1=$(head -n 1 $err)
vctl vacate --pfn 0x2g --mode free
r2=$rc e2=$(head -n 1 $err)
[ $r1 = 2 ] && [ $r2 = 2 ] && echo "$e1" | grep -q "bad --mode 'evict'" &&
	echo "$e2" | grep -q "bad --pfn '0x2g'"
result usage-errors $? "$r1: $e1; $r2: $e2"

# HOLD two blocks, until a signal: the blocks it empties are held while it
# runs and free again once it ends.  The kernel refuses a block that a new
# page has just landed in, so one of the two may stay out.
vctl vacate --cheapest 2 --mode probe
set -- $(pfns $out ok)
vacatectl vacate --pfn $1 --pfn $2 --mode hold > /tmp/hold.out 2> /tmp/hold.err &
holder=$!
vmc-wait-line /tmp/hold.err "^vacatectl: holding" $holder 30
held=$(pfns /tmp/hold.out "ok, done")
n=$(echo $held | wc -w)
vctl vacate $(for p in $held; do echo --pfn $p; done) --mode probe
nfree=0
for p in $held; do nfree=$((nfree + $(free_of $p))); done
[ $n -ge 1 ] && grep -q "^vacatectl: holding $n blocks$" /tmp/hold.err &&
	[ "$(grep -c 'impossible.*why: held 512$' $out)" = $n ] && [ $nfree = 0 ]
result hold-holds $? "$n of 2 held, $nfree pages free in them: $(head -n 2 /tmp/hold.out | tr '\n' '|')"
set -- $held
vctl vacate --pfn $1 --mode free
[ $rc = 0 ] && grep -q "failed EBUSY.*held 512$" $out
result hold-blocks-others $? "rc $rc: $(head -n 1 $out)"
kill -TERM $holder
wait $holder
hrc=$?
vctl vacate $(for p in $held; do echo --pfn $p; done) --mode probe
nfree=0
for p in $held; do nfree=$((nfree + $(free_of $p))); done
# Free again, but for the odd page allocated since.
[ $hrc = 0 ] && grep -q "^vacatectl: released $n blocks$" /tmp/hold.err &&
	! grep -q held $out && [ $nfree -ge $((n * (bp - 16))) ]
result hold-released-on-signal $? "exit $hrc, $(tail -n 1 /tmp/hold.err), $nfree of $((n * bp)) pages free: $(head -n 2 $out | tr '\n' '|')"
frees=$(vacatectl map --json | tr '{' '\n' | sed -n 's/^"pfn":\([0-9]*\),.*"class":"\.".*/\1/p' | tail -n 17)
free=$(echo "$frees" | tail -n 1)
# Meanwhile another file holds 16 other free blocks: the release of this
# hold walks past them (vacate_release() goes over every held block).
vacatectl vacate $(echo "$frees" | head -n 16 | sed 's/^/--pfn /') \
	--mode hold > /tmp/others.out 2> /tmp/others.err &
others=$!
vmc-wait-line /tmp/others.err "^vacatectl: holding" $others 30
vctl vacate --pfn $free --mode hold --hold-seconds 1 --json
kill -TERM $others
wait $others
[ $rc = 0 ] && grep -q '^{"mode":"hold",.*"ok":true,' $out &&
	grep -q "^vacatectl: holding 1 blocks$" $err &&
	grep -q "^vacatectl: released 1 blocks$" $err
result hold-seconds-ends $? "rc $rc: $(tr '\n' ' ' < $err)"

# FREE the cheapest blocks: most of the blocks possible become free.
vctl map --json
free0=$(jnum free_blocks) possible0=$(jnum free_blocks_possible)
vctl vacate --cheapest all --mode free --json
before=$(jnum free_blocks_before) after=$(jnum free_blocks_after)
[ $rc = 0 ] && [ "$(jnum done)" -gt 0 ] && [ "$(jnum pages_migrated)" -gt 0 ] &&
	[ $((after - before)) -ge $(((possible0 - free0) / 2)) ]
result cheapest-all-free-gains $? "rc $rc, $(jnum done) of $(jnum acted) blocks emptied, $(jnum pages_migrated) pages migrated, fully free blocks $before -> $after of $possible0 possible"
bad=0
for r in 0 1 2; do
	bad=$((bad + $(grep -L -x "/tmp/f/small$r" /tmp/f/small$r/f* | wc -l)))
done
[ $bad = 0 ] && [ "$(ls /tmp/f/small*/ | grep -c '^f')" = 900 ]
result tmpfs-data-intact $? "$bad of 900 files changed"

# The census of the caches that keep blocks from being free, with the
# mobile test cache's objects allocated and three in four of them freed:
# its slabs stay, sparse, in the blocks they fill.  What takes a block
# out of the census is a page that is neither free nor slab, and the page
# tables and stacks of every process started here land in the free holes
# of unmovable blocks.  So the cache must fill whole blocks, which its
# slabs (order 0) do once they have used up the small free pieces
# scattered about (a few hundred pages) and split a free block: 65536
# objects are about 2200 pages.  With 20000 (670 pages) the cache often
# fills no block and drops out of the census as processes come and go
# (found by 15 runs in 20).
echo "alloc 65536" > $d/control
for k in 1 2 3; do echo "free 4 $k" > $d/control; done
# totals: "BLOCKS SLAB_PAGES" of the census in $out, text or JSON.
totals() {
	sed -n -e 's/^otherwise-free blocks: \([0-9]*\), slab pages in them: \([0-9]*\)$/\1 \2/p' \
		-e 's/^{"blocks":\([0-9]*\),"slab_pages":\([0-9]*\),.*/\1 \2/p' $out
}
# The census counts the pages of the processes running meanwhile (its
# own page tables and stack, those of the shell's): a block can flicker
# in and out of it from one run to the next.  So up to 20 tries, for one
# in which the text and the JSON saw the same.
for try in $(seq 20); do
	[ $try = 1 ] || sleep 0.5
	vctl census
	r1=$rc t=$(totals) cover=$(sed -n 's/^cover 90%: .* of the blocking pages: //p' $out)
	smt_text=$(grep '^slub_mobility_test ' $out)
	vctl census --json
	r2=$rc j=$(totals)
	names=$(sed -n 's/.*"cover90":\[\(.*\)\]}$/\1/p' $out | sed 's/"//g; s/,/, /g')
	[ $r1 = 0 ] && [ $r2 = 0 ] && [ -n "$t" ] && [ "$t" = "$j" ] &&
		[ -n "$cover" ] && [ "$cover" = "$names" ] && break
done
result census-text-json-agree $? "rc $r1 and $r2, try $try: text '$t', json '$j'; cover90 text '$cover', json '$names'"
smt=$(tr '{' '\n' < $out | grep '^"name":"slub_mobility_test",')
echo "$smt" | grep -q '"mobile":true}' && echo "$smt_text" | grep -q ' mobile$'
result census-finds-mobile-test-cache $? "${smt:-not in the census: $(head -c 600 $out)}"
vctl census --top 1
[ $rc = 0 ] && [ "$(wc -l < $out)" = 3 ] && grep -q '^cover 90%: ' $out
result census-top $? "rc $rc: $(tr '\n' '|' < $out)"
echo "free 1 0" > $d/control

# The mobile test cache: empty the blocks its slabs fill, lose nothing.
echo "alloc 65536" > $d/control
echo "free 2 0" > $d/control
set -- $(vmc-blocks-of M)
if [ $# = 0 ]; then
	result slab-test-cache-intact 1 "no block holds only mobile slab pages"
else
	vctl vacate "$@" --mode free --json
	echo verify > $d/control
	st=$(cat $d/status)
	[ $rc = 0 ] && [ "$(jnum done)" -gt 0 ] && [ "$(jnum objects_moved)" -gt 0 ] &&
		echo "$st" | grep -q "objects=32768 corrupt=0 memcg=0"
	result slab-test-cache-intact $? "rc $rc, $(jnum done) of $(($# / 2)) blocks emptied, $(jnum objects_moved) objects moved; $st"
fi
echo "free 1 0" > $d/control
vmc-resched-check walks-reschedule
echo "vmcompact-vacatectl: done"
vacatectl map | grep -E '^(guest RAM|legend|  |blocks described)' | grep -v ' MiB |' | sed 's/^/vctl-map: /'
while :; do sleep 60; done
