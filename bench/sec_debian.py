"""fragbench's Debian section: the Debian 12 guest's workloads (systemd,
ext4 root) as a scenario like the others (sec_scenario.py)."""
import os
import re
import subprocess
import sys
import time

from guest import QGA, Guest
from util import BUILD, BenchError
from sizes import SIZES


class Debian:
    def sec_debian(self):
        img = os.path.join(BUILD, "guest", "debian.img")
        if not os.path.exists(img):
            raise BenchError("no %s (make debian-image)" % img)
        self.result["sections"]["debian"] = {"snapshots": {}, "runs": [],
                                             "workloads": SIZES["debian_workloads"]}
        half = SIZES["mem_mib"] // 2

        def guest(name, kernel, **kw):
            disk = self.overlay(img, name)
            g = Guest(self.run_dir, name, kernel, debian=True, hint=False, disks=[(disk, "qcow2")], **kw)
            g.disk = disk
            return g
        guests = {k: guest("debian-" + k, k, append="no_timer_check") for k in ("stock", "patched")}
        vm = guest("debian-virtio-mem", "stock", mem=half, vmem=half,
                   append="no_timer_check memhp_default_state=online_movable")
        self.plug(vm, half)
        self.scenario("debian", ("memfd",), guests, self.debian_workloads, vm)

    def debian_workloads(self, k, g):
        """Wait for the guest agent, run the workloads, drop the page
        cache (as the other scenarios do)."""
        t0 = time.monotonic()
        deadline = t0 + 900
        while subprocess.run([sys.executable, QGA, os.path.join(g.dir, "qga.sock"), "--ping", "--timeout", "10"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode:
            if time.monotonic() > deadline or not g.alive():
                raise BenchError("%s: no guest agent:%s" % (g.name, g.tail()))
            time.sleep(3)
        info = {"boot_s": round(time.monotonic() - t0, 1)}
        if g.mem < SIZES["mem_mib"]:  # the virtio-mem guest: wait for its plugged memory
            g.sh("until awk '/^MemTotal:/ { exit $2 < %d }' /proc/meminfo; do sleep 1; done"
                 % (SIZES["mem_mib"] * 7 // 8 * 1024), timeout=300)
        g.sh("echo 11 > /sys/module/page_reporting/parameters/page_reporting_order; "
             "vmc-bench caches /run/vmc-caches")
        took = {}
        for w in SIZES["debian_workloads"]:
            out = g.out("sh /usr/local/lib/vmcompact/workloads/%s.sh" % w, timeout=1800)
            m = re.search(r"took ([\d.]+) s", out)
            took[w] = float(m.group(1)) if m else None
        info["workload_s"] = took
        g.sh("sync; echo 1 > /proc/sys/vm/drop_caches")
        return info
