#!/bin/sh
# git churn: clone the image's repository (/srv/git/churn.git, 41 commits
# of about 1,600 files: scripts/debian-guest/make-git-repo.py), walk its
# history with checkouts, log -p, status, gc; ROUNDS times (default 2).
# The last clone stays, in /var/tmp/vmc-work/git (its checksums are taken
# by the test), the others go.
. "$(dirname "$0")/lib.sh"
export HOME=${HOME:-/root}
rounds=$(wl_rounds git 2)
work=/var/tmp/vmc-work/git
start=$(wl_secs)
rm -rf "$work"
mkdir -p "$work"
i=0
while [ $i -lt "$rounds" ]; do
	c=$work/clone$i
	git clone -q /srv/git/churn.git "$c" || { echo "git: clone failed"; exit 1; }
	for rev in 40 30 20 10 0 5 15 25 35 0; do
		git -C "$c" checkout -q "main~$rev" 2>/dev/null ||
			git -C "$c" checkout -q "$(git -C "$c" rev-list main | sed -n "$((rev + 1))p")" ||
			{ echo "git: checkout main~$rev failed"; exit 1; }
	done
	git -C "$c" checkout -q main
	lines=$(git -C "$c" log -p | wc -l)
	git -C "$c" status --porcelain | grep -q . && { echo "git: clone $i is not clean"; exit 1; }
	git -C "$c" gc -q
	i=$((i + 1))
	echo "git: round $i: $(git -C "$c" ls-files | wc -l) files, log -p $lines lines"
	[ $i -lt "$rounds" ] && rm -rf "$c"
done
git -C "$c" fsck --no-progress 2>&1 | sed 's/^/git: fsck: /'
wl_took git "$start"
