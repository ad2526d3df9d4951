#!/usr/bin/env python3
"""Write the seed corpus of the libFuzzer harnesses (tests/fuzz/fuzz_*.c).

    tests/fuzz/seeds.py [DIR]     (default tests/fuzz/corpus)

One directory per harness, each input valid for it the way a real peer
would send it (the harness's own input layout around it), so fuzzing
starts from the messages and maps that pass every check.  The files are
kept in git; run this again when a layout changes.
"""
import os
import struct
import sys
import zlib

MAGIC = 0x50434D56
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus")
BP = 512  # pages per block


def frame(ftype, seq, payload, version=1):
    head = struct.pack("<IHHII", MAGIC, version, ftype, seq, len(payload))
    return head + struct.pack("<I", zlib.crc32(head + payload) & 0xFFFFFFFF) + payload


def string(s):
    b = s.encode()
    return struct.pack("<H", len(b)) + b


def hello_resp():
    return struct.pack("<IIIH", 7, 4096, BP, 1) + string("vmcompact-agent seed")


def block(pfn, free=BP, lru=0, slab=0):
    other = BP - free - lru - slab
    return struct.pack("<Q7IBBHII", pfn, free, lru, 0, 0, slab, other, 0, 2, 0, 1, 0, 0)


def map_resp(start, nr, max_pfn):
    blocks = b"".join(block(start + i * BP, free=BP - 8 * i, lru=8 * i) for i in range(nr))
    nxt = min(start + nr * BP, max_pfn)
    return struct.pack("<QQQQII", start, 0, max_pfn, nxt, BP, nr) + blocks


def result(pfn, flags, error=0, blocker=b""):
    return (struct.pack("<QII7IQ", pfn, error, flags, 3, 2, 1, 0, 2, 1, 0, 1000)
            + struct.pack("<9I", 0, 0, 0, 0, 0, 0, 0, 0, 0) + blocker.ljust(32, b"\0"))


def vacate_resp(mode, pfns, done_flags):
    body = b"".join(result(p, f) for p, f in zip(pfns, done_flags))
    return struct.pack("<IIIIQ", mode, len(pfns), sum(1 for f in done_flags if f & 4), len(pfns), 5000) + body


def census_entry(name, pages, blocks, all_pages, mobile):
    return name.encode().ljust(32, b"\0") + struct.pack("<IIII", pages, blocks, all_pages, mobile)


def census_resp(entries):
    body = b"".join(census_entry(*e) for e in entries)
    pages = sum(e[1] for e in entries)
    return struct.pack("<IIII", 3, pages, len(entries), len(entries)) + body


def error(code, errno, msg):
    return struct.pack("<II", code, errno) + string(msg)


def write(harness, name, data):
    d = os.path.join(OUT, harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def chunked(stream, sizes):
    """fuzz_parser's input: each chunk after its length byte."""
    out, i = b"", 0
    for n in sizes:
        out += bytes([n]) + stream[i:i + n]
        i += n
    while i < len(stream):
        out += bytes([255]) + stream[i:i + 255]
        i += 255
    return out


def main():
    hello = frame(0x8001, 1, hello_resp())
    mreq = struct.pack("<QI", 0, 1364)
    mresp = map_resp(0, 3, 3 * BP)
    vreq = struct.pack("<IIII", 1, 2, 0, 0) + struct.pack("<QQ", 0, BP)
    vresp = vacate_resp(1, [0, BP], [4, 0])
    creq = struct.pack("<I", 16)
    cresp = census_resp([("dentry", 10, 2, 100, 1), ("ext2_inode_cache", 5, 1, 50, 1)])
    err = error(7, 2, "/dev/vacate: open: No such file or directory")

    # fuzz_parser: a stream of frames, in chunks, with a silence.
    stream = hello + frame(0x0002, 2, mreq) + b"garbage" + frame(0x8003, 3, vresp)
    write("parser", "frames", chunked(stream, [7, 20, 0, 3]))
    write("parser", "bad-crc", chunked(hello[:-1] + b"\0" + hello, [40]))
    write("parser", "overlap", chunked(struct.pack("<II", MAGIC, 65536) * 64, [200, 200, 112]))

    # fuzz_decode: the selector byte, then request fields where the harness
    # takes them, then the payload.
    write("decode", "hello-resp", b"\0" + hello_resp())
    write("decode", "map-req", b"\1" + mreq)
    write("decode", "map-resp", b"\2" + struct.pack("<QI", 0, 1364) + mresp)
    write("decode", "error", b"\3" + err)
    write("decode", "vacate-req", b"\4" + vreq)
    write("decode", "vacate-resp", b"\5" + bytes([9, 1]) + struct.pack("<H", 2) + b"\0" + vresp)
    write("decode", "vacate-resp-cheapest", b"\5" + bytes([9, 1]) + struct.pack("<H", 2) + b"\1" + vresp)
    write("decode", "census-req", b"\6" + creq)
    write("decode", "census-resp", b"\7" + struct.pack("<H", 15) + cresp)
    write("decode", "empty", b"\x08")

    # fuzz_agent: the host's stream, then what the device answers.
    def agent(stream, device):
        return struct.pack("<H", len(stream)) + stream + device
    mapdev = b"\0" + struct.pack("<QII", 0, 3, BP) + struct.pack("<QQQ", 0, 3 * BP, 3 * BP) + \
        b"".join(block(i * BP) for i in range(3))
    write("agent", "hello", agent(frame(0x0001, 1, b""), mapdev))
    write("agent", "map", agent(frame(0x0002, 2, mreq), mapdev))
    write("agent", "vacate", agent(frame(0x0003, 3, vreq),
                                   b"\0" + struct.pack("<II", 2, 1) + result(0, 4) + result(BP, 0)))
    write("agent", "cheapest", agent(frame(0x0003, 4, struct.pack("<IIII", 0, 8, 1, 0)),
                                     b"\0" + struct.pack("<II", 1, 1) + result(BP, 0)))
    write("agent", "release", agent(frame(0x0004, 5, b""), b"\0"))
    write("agent", "census", agent(frame(0x0005, 6, creq),
                                   b"\0" + struct.pack("<III", 1, 3, 10) + census_entry("dentry", 10, 2, 100, 1)))
    write("agent", "device-error", agent(frame(0x0002, 7, mreq), bytes([2 * 13 + 1])))

    # fuzz_map: responses as struct vmc_map_resp (48 bytes) + blocks.
    def resp(start, nr, max_pfn):
        nxt = min(start + nr * BP, max_pfn)
        return (struct.pack("<QQQQII", start, 0, max_pfn, nxt, BP, nr)
                + b"".join(block(start + i * BP, free=BP - i, lru=i) for i in range(nr)))
    write("map", "one", resp(0, 4, 4 * BP))
    write("map", "two", resp(0, 2, 4 * BP) + resp(2 * BP, 2, 4 * BP))

    # fuzz_census: selector, then struct vacate_census + entries; or a report.
    q = struct.pack("<IIQIIII", 7, 1, 0, 2, 3, 15, 0)
    write("census", "census", b"\1" + q + census_entry("dentry", 10, 2, 100, 1)
          + census_entry("ext2_inode_cache", 5, 1, 50, 1))
    counts = struct.pack("<QQQQ", (2 << 32) | 1, 4, 2, 1)
    write("census", "report", b"\0" + counts + block(0) + block(BP) + result(0, 4) + result(BP, 0))

    # fuzz_qmp: what QEMU says, the first byte where to cut it.
    qmp = (b'{"QMP": {"version": {"qemu": {"micro": 0, "minor": 2, "major": 7}}, "capabilities": []}}\r\n'
           b'{"return": {}, "id": 0}\r\n'
           b'{"timestamp": {"seconds": 1, "microseconds": 2}, "event": "BALLOON_CHANGE", "data": {"actual": 1}}\r\n'
           b'{"return": {"actual": 1073741824}, "id": 1}\r\n'
           b'{"id": 2, "error": {"class": "GenericError", "desc": "no"}}\r\n'
           b'{"return": "FlatView #0\\r\\n AS \\"memory\\", root: system\\r\\n", "id": 3}\r\n')
    write("qmp", "session", bytes([40]) + qmp)


main()
