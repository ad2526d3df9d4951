"""What make bench measures, and how big (bench/fragbench.py)."""
import os

# Sizes: what fits make bench's hour on two cores under TCG (docs/results.md
# says why).  The ext2 scenario is ENVIRONMENT.md's at full size: 1 GiB,
# 20 rounds of a 120 MB file and 20,000 small files.
SIZES = {
    "mem_mib": 1024,
    "target_mib": 512,
    "ext2": {"rounds": 20, "big_mb": 120, "files": 20000},
    "ext4": {"rounds": 8, "big_mb": 100, "files": 25000},
    "churn": {"mb": 1400},
    "vmcompactd_blocks": 256,
    "meta_files": 100000,
    "slub_objects": 65536,
    "slub_rounds": 5,
    "scale_mib": [1024, 4096, 8192],
    "scale_vacate_blocks": 64,
    "debian_workloads": ["git", "findtar"],
}


# FRAGBENCH_QUICK=1: small sizes, to try the bench itself out.
if os.environ.get("FRAGBENCH_QUICK"):
    SIZES.update({"ext2": {"rounds": 4, "big_mb": 120, "files": 20000},
                  "ext4": {"rounds": 2, "big_mb": 100, "files": 25000},
                  "meta_files": 10000, "slub_objects": 16384, "scale_mib": [1024, 2048],
                  "debian_workloads": ["findtar"]})
