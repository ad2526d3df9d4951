#!/bin/bash
# make debs: the Debian packages vmcompact-host and vmcompact-guest
# (debian/), built with dpkg-buildpackage from a copy of the sources in
# build/debs/, where the .deb files land.  Prints their paths.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
version=$(sed -n '1s/^[^ ]* (\([^)]*\)).*/\1/p' "$root/debian/changelog")
out=$root/build/debs src=$root/build/debs/vmcompact-$version
rm -rf "$out"
mkdir -p "$src"
# The tracked files as they are now (committed or not).
git -C "$root" ls-files -z --cached --others --exclude-standard |
	grep -zv '^guest-kernel/' | (cd "$root" && xargs -0 cp --parents -t "$src")
if ! (cd "$src" && dpkg-buildpackage -b -us -uc) > "$out/build.log" 2>&1; then
	tail -n 30 "$out/build.log" >&2
	echo "build-debs: dpkg-buildpackage failed; log: $out/build.log" >&2
	exit 1
fi
ls "$out"/*.deb
