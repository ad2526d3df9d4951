#!/bin/sh
# Building a small C project with gcc: the guest agent and vacatectl from
# the sources shipped in the image (/usr/local/src/vmcompact), with the
# project's own build files (userspace.mk; static, json-c, zlib); ROUNDS builds from clean
# (default 1).  The last build's objects stay in /var/tmp/vmc-work/cbuild.
. "$(dirname "$0")/lib.sh"
rounds=$(wl_rounds cbuild 1)
work=/var/tmp/vmc-work/cbuild
start=$(wl_secs)
rm -rf "$work"
cp -a /usr/local/src/vmcompact "$work"
i=0
while [ $i -lt "$rounds" ]; do
	rm -rf "$work/build"
	make -C "$work" -s -j2 -f userspace.mk \
		build/guest/bin/vmcompact-agent build/guest/bin/vacatectl > /tmp/wl-make.log 2>&1 ||
		{ echo "cbuild: make failed:"; tail -n 20 /tmp/wl-make.log | sed 's/^/cbuild: | /'; exit 1; }
	"$work/build/guest/bin/vacatectl" --help > /dev/null 2>&1
	i=$((i + 1))
	echo "cbuild: round $i: $(find "$work/build" -name '*.o' | wc -l) objects, built vacatectl runs (rc $?)"
done
wl_took cbuild "$start"
