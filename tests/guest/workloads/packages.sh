#!/bin/sh
# Package churn: install the .debs shipped in the image
# (/var/cache/vmcompact/debs: scripts/debian-guest/churn-packages and what
# they need, downloaded on the host when the image was built) with apt,
# then purge them with dpkg.  ROUNDS times (default 1: python3's
# byte-compiling makes a round about 2 minutes under TCG).
. "$(dirname "$0")/lib.sh"
debs=/var/cache/vmcompact/debs
rounds=$(wl_rounds packages 1)
start=$(wl_secs)
pkgs=$(for d in "$debs"/*.deb; do dpkg-deb -f "$d" Package; done | tr '\n' ' ')
[ -n "$pkgs" ] || { echo "packages: no .debs in $debs"; exit 1; }
i=0
while [ $i -lt "$rounds" ]; do
	# apt orders the installs (Pre-Depends) from the files alone: the
	# guest has no package lists, and no network.
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$debs"/*.deb > /tmp/wl-dpkg.log 2>&1 ||
		{ echo "packages: apt-get install failed:"; tail -n 20 /tmp/wl-dpkg.log | sed 's/^/packages: | /'; exit 1; }
	n=$(dpkg-query -W -f='${Status}\n' $pkgs 2>/dev/null | grep -c 'install ok installed')
	files=$(cat $(for p in $pkgs; do ls /var/lib/dpkg/info/$p.list /var/lib/dpkg/info/$p:*.list 2>/dev/null; done) | wc -l)
	python3 -c 'import json, sqlite3, email; print("packages: python3 runs")' 2>&1 | sed '/^packages: /!s/^/packages: python3: /'
	dpkg --purge $pkgs > /tmp/wl-dpkg.log 2>&1 ||
		{ echo "packages: dpkg --purge failed:"; tail -n 20 /tmp/wl-dpkg.log | sed 's/^/packages: | /'; exit 1; }
	left=$(dpkg-query -W -f='${Status}\n' $pkgs 2>/dev/null | grep -c 'installed')
	i=$((i + 1))
	echo "packages: round $i: installed $n packages ($files paths), purged, $left left"
done
wl_took packages "$start"
