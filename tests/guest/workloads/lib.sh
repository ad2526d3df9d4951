# Shared by the workloads of tests/guest/workloads/ (sourced; POSIX sh, so
# that the busybox initramfs guest can run them too).  Every line a
# workload prints starts with "NAME: ".
#
# wl_census NAME: the census of the caches whose slab pages keep otherwise
# free blocks from being free, and the block map totals, after a workload.
wl_census() {
	vacatectl vacate --cheapest all --mode probe > /dev/null 2>&1
	vacatectl map | awk -v n="$1" '/^fully free blocks:/ { f = $4 } /^free blocks possible:/ { p = $4 }
		END { printf "%s: map: %d fully free blocks of %d possible (%.1f%%)\n", n, f, p, p ? 100 * f / p : 0 }'
	vacatectl census --top 8 | sed "s/^/$1: census: /"
}

# wl_secs: seconds since boot, with hundredths (busybox has no date +%N).
wl_secs() { cut -d' ' -f1 /proc/uptime; }

# wl_took NAME START: "NAME: took S s".
wl_took() {
	awk -v a="$2" -v b="$(wl_secs)" -v n="$1" 'BEGIN { printf "%s: took %.1f s\n", n, b - a }'
}

# wl_rounds NAME DEFAULT: the rounds of a workload, from vmc.NAME_rounds= on
# the kernel command line or $WL_ROUNDS, else DEFAULT.
wl_rounds() {
	r=$(tr ' ' '\n' < /proc/cmdline | sed -n "s/^vmc\.$1_rounds=//p")
	echo "${r:-${WL_ROUNDS:-$2}}"
}
