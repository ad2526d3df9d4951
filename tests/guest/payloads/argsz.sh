# For tests/host/uapi.sh: vmc-argsz against /dev/vacate (argsz larger than
# the kernel's structures with a zero or a nonzero tail, and too small).
vmc-argsz
echo "vmcompact-argsz: done"
