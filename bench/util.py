"""What every part of make bench's host side uses (bench/fragbench.py):
paths, sizes, the log, commands, /proc figures."""
import os
import re
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build")
OUT = os.path.join(BUILD, "bench")
HOST = os.path.join(BUILD, "host")
MIB = 1 << 20
BLOCK = 2 << 20
PAGE = 4096

T0 = time.monotonic()


def log(msg):
    print("[%7.1f] %s" % (time.monotonic() - T0, msg), flush=True)


# What the tests call a kernel report on a console: tests/lib.sh's
# KERNEL_REPORT_RE, read from there so that there is one list.
with open(os.path.join(ROOT, "tests", "lib.sh")) as _f:
    KERNEL_REPORT = re.compile(re.search(r"^KERNEL_REPORT_RE='([^']*)'", _f.read(), re.M).group(1))


class BenchError(Exception):
    pass


def run(cmd, timeout=600, check=True, **kw):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=timeout, **kw)
    if check and r.returncode:
        raise BenchError("%s: exit %d: %s" % (" ".join(cmd), r.returncode, r.stdout[-2000:]))
    return r.stdout


def meminfo(key):
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def vmstat(key):
    with open("/proc/vmstat") as f:
        for line in f:
            k, v = line.split()
            if k == key:
                return int(v)
    return 0


def percentile(values, p):
    if not values:
        return None
    v = sorted(values)
    k = (len(v) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)
