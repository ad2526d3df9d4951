#!/usr/bin/env python3
"""A guest agent that misbehaves, for vmcompactd's trust tests.

    fake-agent.py SOCKET MODE

Listens on the unix socket SOCKET as QEMU's chardev would, answers HELLO
well (block_pages 512, page size 4096, MAP and VACATE capabilities), and
answers VACATE requests according to MODE:

  lie-acted        the PROBE answer says it acted on more blocks than asked
  silent           no answer to VACATE at all
  garbage          64 KiB of noise instead of an answer
  claims-populated PROBE finds blocks 0 and 1 possible; FREE says both were
                   emptied, but this process's memfd (its "guest RAM")
                   stays populated there
  outside-ram      FREE says it emptied a block at 4 GiB, beyond the memfd
  overlap          a hostile guest: after HELLO, streams overlapping fake
                   frame headers (a magic every 8 bytes, each with a
                   length of 65536) for as long as the host reads
  stale-frames     a hostile guest: after HELLO, streams valid frames
                   that answer nothing (wrong seq) for as long as the
                   host reads
  partial          answers VACATE after half a frame header and 1.5 s of
                   silence (PROTOCOL.md 5.3: the host must drop the half)

It holds a 64 MiB memfd, all of it written, as QEMU holds guest RAM, and
writes its pid to SOCKET.pid for vmcompactd's pidfile=.  Each request it
gets is logged on stdout as "got TYPE mode=M count=C flags=F".
"""
import os
import random
import socket
import struct
import sys
import time
import zlib

MAGIC = 0x50434D56
HELLO_REQ, VACATE_REQ = 0x0001, 0x0003
RESP = 0x8000
HDR = struct.Struct("<IHHIII")
MIB = 1 << 20


def frame(ftype, seq, payload):
    head = struct.pack("<IHHII", MAGIC, 1, ftype, seq, len(payload))
    crc = zlib.crc32(head + payload) & 0xFFFFFFFF
    return head + struct.pack("<I", crc) + payload


def hello(seq):
    name = b"fake-agent"
    payload = struct.pack("<IIIH", 3, 4096, 512, 1) + struct.pack("<H", len(name)) + name
    return frame(HELLO_REQ | RESP, seq, payload)


def result(pfn, flags):
    # start_pfn, error, flags, 7 counters, time_ns, 9 reasons, blocker
    return (struct.pack("<QII7IQ", pfn, 0, flags, 0, 0, 0, 0, 0, 0, 0, 1000)
            + bytes(36) + bytes(32))


def vacate_resp(seq, mode, acted, done, results):
    payload = struct.pack("<IIIIQ", mode, acted, done, len(results), 5000)
    return frame(VACATE_REQ | RESP, seq, payload + b"".join(results))


def flood(conn, chunk):
    """Send chunk until the host hangs up."""
    try:
        while True:
            conn.sendall(chunk)
    except OSError:
        pass


def answer(how, seq, mode, count):
    done_flag = 4  # VACATE_RES_DONE
    if how == "silent":
        return b""
    if how == "garbage":
        return random.Random(seq).randbytes(64 * 1024)
    if how == "lie-acted":
        return vacate_resp(seq, mode, count + 1, 0, [])
    if how == "partial":
        return b""
    pfns = [0x0, 0x200] if how in ("claims-populated", "partial") else [0x100000]
    flags = done_flag if mode != 0 else 0
    return vacate_resp(seq, mode, len(pfns), len(pfns), [result(p, flags) for p in pfns])


def serve(conn, how):
    buf = b""
    while True:
        data = conn.recv(65536)
        if not data:
            return
        buf += data
        while len(buf) >= HDR.size:
            magic, _ver, ftype, seq, length, _crc = HDR.unpack_from(buf)
            if magic != MAGIC:
                buf = buf[1:]
                continue
            if len(buf) < HDR.size + length:
                break
            payload = buf[HDR.size:HDR.size + length]
            buf = buf[HDR.size + length:]
            if ftype == HELLO_REQ:
                print("got HELLO", flush=True)
                conn.sendall(hello(seq))
                if how == "overlap":
                    flood(conn, (struct.pack("<II", MAGIC, 65536)) * 8192)
                    return
                if how == "stale-frames":
                    flood(conn, frame(HELLO_REQ | RESP, seq ^ 0x5555, bytes(60000)))
                    return
            elif ftype == VACATE_REQ:
                mode, count, flags = struct.unpack_from("<III", payload)
                print(f"got VACATE mode={mode} count={count} flags={flags}", flush=True)
                if how == "partial":
                    conn.sendall(struct.pack("<IHH", MAGIC, 1, VACATE_REQ | RESP))
                    time.sleep(1.5)
                    how_now = "claims-populated"
                else:
                    how_now = how
                conn.sendall(answer(how_now, seq, mode, count))


def main():
    path, how = sys.argv[1], sys.argv[2]
    ram = os.memfd_create("memory-backend-memfd")
    os.write(ram, b"\x5a" * (64 * MIB))
    with open(path + ".pid", "w") as f:
        f.write(f"{os.getpid()}\n")
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    print("listening", flush=True)
    while True:
        conn, _ = srv.accept()
        try:
            serve(conn, how)
        except OSError:
            pass
        conn.close()


main()
