#!/usr/bin/env python3
"""Populated pages of a guest's RAM on the host, per 2 MiB block.

    memfd-blocks.py QEMU_PID RAM_MIB
    memfd-blocks.py --bytes QEMU_PID RAM_MIB

Finds the memfd of RAM_MIB MiB that QEMU (memory-backend-memfd) holds
open and prints, for each 2 MiB block of it in order, how many 4 KiB
pages are populated (SEEK_DATA/SEEK_HOLE): a page the guest gave back
through the balloon or free page reporting is a hole again.

With --bytes, prints the bytes the file holds (st_blocks), which for a
hugetlb memfd (where SEEK_HOLE sees all data) counts its huge pages.
"""
import os
import sys

BLOCK = 2 << 20
PAGE = 4096


def find_memfd(pid, size):
    fd_dir = f"/proc/{pid}/fd"
    for name in os.listdir(fd_dir):
        try:
            target = os.readlink(f"{fd_dir}/{name}")
        except OSError:
            continue
        if not target.startswith("/memfd:"):
            continue
        fd = os.open(f"{fd_dir}/{name}", os.O_RDONLY)
        if os.fstat(fd).st_size == size:
            return fd
        os.close(fd)
    sys.exit(f"memfd-blocks: process {pid} holds no memfd of {size} bytes")


def populated(fd, size):
    pages = [0] * (size // BLOCK)
    off = 0
    while off < size:
        try:
            data = os.lseek(fd, off, os.SEEK_DATA)
        except OSError:  # ENXIO: no data after off
            break
        hole = os.lseek(fd, data, os.SEEK_HOLE)
        while data < hole:
            block = data // BLOCK
            end = min(hole, (block + 1) * BLOCK)
            pages[block] += (end - data) // PAGE
            data = end
        off = hole
    return pages


def main():
    args = sys.argv[1:]
    total = args[:1] == ["--bytes"]
    if total:
        args = args[1:]
    if len(args) != 2:
        sys.exit("usage: memfd-blocks.py [--bytes] QEMU_PID RAM_MIB")
    size = int(args[1]) << 20
    fd = find_memfd(args[0], size)
    if total:
        print(os.fstat(fd).st_blocks * 512)
    else:
        print(" ".join(map(str, populated(fd, size))))


if __name__ == "__main__":
    main()
