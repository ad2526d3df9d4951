"""fragbench's cost section: what the series costs the guest, both kernels
at once: the SLUB module, create/stat/unlink, a tar of /usr."""
import concurrent.futures
import os
import re
import threading

from guest import Guest
from util import BUILD, BenchError, run
from sizes import SIZES


class Cost:
    def usr_disk(self):
        """An ext4 image of a real /usr: the Debian guest's if it is built,
        else this host's /usr/include."""
        src = os.path.join(BUILD, "guest", "debian", "rootfs", "usr")
        what = "the Debian 12 guest's /usr"
        if not os.path.isdir(src):
            src, what = "/usr/include", "the host's /usr/include"
        path = os.path.join(self.disk_dir, "usr.img")
        size = int(run(["du", "-sm", src]).split()[0]) * 2 + 256
        run(["truncate", "-s", "%dM" % size, path])
        run(["mkfs.ext4", "-q", "-F", "-d", src, path], timeout=900)
        return path, what

    def sec_cost(self):
        usr, what = self.usr_disk()
        res = self.result["sections"].setdefault("cost", {"usr": what})
        guests = {}
        for k in ("stock", "patched"):
            meta = self.ext4_disk("meta-" + k, "2G", 250000)
            guests[k] = Guest(self.run_dir, "cost-" + k, k, hint=False,
                              disks=[(meta, "raw"), (self.overlay(usr, "usr-" + k), "qcow2")],
                              append="vmc.bench=none")
        barrier = threading.Barrier(2, timeout=3600)
        steps = ["slub", "meta", "tar"]

        def one(k, g):
            r = res.setdefault(k, {})
            failed = False
            try:
                self.wait_workload(g, 600)
            except Exception as e:
                self.error("cost/%s" % k, e)
                failed = True
            for s in steps:
                try:
                    barrier.wait()
                except threading.BrokenBarrierError:
                    pass
                if failed:
                    continue
                try:
                    if s == "slub":
                        g.sh("dmesg -c > /dev/null; insmod /lib/vmc-bench/vmc_bench_slub.ko objects=%d rounds=%d" %
                             (SIZES["slub_objects"], SIZES["slub_rounds"]), timeout=900)
                        out = g.out("dmesg | grep 'vmc_bench_slub: cache='; rmmod vmc_bench_slub")
                        for m in re.finditer(r"cache=(\w+) (.*)", out):
                            r["slub_" + m.group(1)] = {kv.split("=")[0]: int(kv.split("=")[1])
                                                        for kv in m.group(2).split() if "=" in kv}
                        if k == "patched":
                            c = "/sys/kernel/debug/slub_mobility_test"
                            o = g.out("echo 'bench %d %d' > %s/control && cat %s/status" %
                                      (SIZES["slub_objects"], SIZES["slub_rounds"], c, c), timeout=900)
                            # the bench's fields come first; the driver's
                            # other status fields (objects=...) after them
                            r["smt_bench"] = {}
                            for kv in o.split():
                                f = kv.split("=")
                                if len(f) == 2 and f[1].isdigit():
                                    r["smt_bench"].setdefault(f[0], int(f[1]))
                    elif s == "meta":
                        r["meta"] = g.json("mount -t ext4 /dev/vda /mnt && vmc-bench meta /mnt/m %d" %
                                           SIZES["meta_files"], timeout=1800)
                    elif s == "tar":
                        o = g.out("mkdir -p /usr-tree && mount -t ext4 -o ro /dev/vdb /usr-tree && sync && "
                                  "echo 3 > /proc/sys/vm/drop_caches && "
                                  "vmc-bench time sh -c 'tar -cf - -C /usr-tree . | md5sum' 2>&1", timeout=1800)
                        m = re.search(r"vmc-bench-time: (\d+) (\d+)", o)
                        if not m or m.group(2) != "0":
                            raise BenchError("tar: " + o[-500:])
                        r["tar_ns"] = int(m.group(1))
                        r["tar_md5"] = o.split("\n")[0].strip()
                except Exception as e:
                    self.error("cost/%s/%s" % (k, s), e)
            g.stop()
        with concurrent.futures.ThreadPoolExecutor(2) as ex:
            list(ex.map(lambda kv: one(*kv), guests.items()))
