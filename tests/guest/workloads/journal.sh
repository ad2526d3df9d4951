#!/bin/sh
# journald log churn: LINES lines (default 50,000) through systemd-cat,
# then the journal is rotated and vacuumed down to its newest files;
# ROUNDS times (default 1).
. "$(dirname "$0")/lib.sh"
rounds=$(wl_rounds journal 1)
lines=${WL_JOURNAL_LINES:-50000}
start=$(wl_secs)
i=0
while [ $i -lt "$rounds" ]; do
	# In a unit of its own without journald's rate limit, so that every
	# line is kept.
	systemd-run --quiet --wait --collect -p LogRateLimitIntervalSec=0 \
		sh -c "seq 1 $lines | sed 's/^/vmcompact journal churn, round $i, line /' |
			systemd-cat -t vmc-churn -p info"
	journalctl --sync
	got=$(journalctl -q -t vmc-churn -o cat | grep -c "round $i, ")
	journalctl -q --rotate
	journalctl -q --vacuum-files=2 > /dev/null 2>&1
	i=$((i + 1))
	echo "journal: round $i: $got of $lines lines in the journal; $(du -sh /var/log/journal | cut -f1) on disk after vacuum"
done
wl_took journal "$start"
