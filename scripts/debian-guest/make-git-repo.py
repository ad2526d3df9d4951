#!/usr/bin/env python3
"""make-git-repo.py DIR: a deterministic git repository for the git churn
workload of the Debian guest (tests/guest/workloads/git.sh), made on the
host when the image is built: 1,600 small source files in 40 directories,
then 40 commits that each rewrite, add and remove some.  Written as a bare
repository DIR (e.g. rootfs/srv/git/churn.git).  Same seed, same history:
the dates and author are fixed too."""
import os
import random
import shutil
import subprocess
import sys
import tempfile

DIRS, FILES, COMMITS = 40, 40, 40


def body(rng, name, rev):
    lines = [f"/* {name}, revision {rev} */", "#include <stdio.h>", ""]
    for i in range(rng.randint(10, 120)):
        lines.append(f"int {name.replace('/', '_').replace('.', '_')}_{i}(int x) "
                     f"{{ return x * {rng.randint(1, 1 << 20)} + {i}; }}")
    return "\n".join(lines) + "\n"


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make-git-repo.py DIR")
    out = os.path.abspath(sys.argv[1])
    rng = random.Random(9)
    work = tempfile.mkdtemp(prefix="vmc-repo.")
    env = dict(os.environ, GIT_AUTHOR_NAME="vmcompact", GIT_AUTHOR_EMAIL="vmc@invalid",
               GIT_COMMITTER_NAME="vmcompact", GIT_COMMITTER_EMAIL="vmc@invalid",
               GIT_CONFIG_NOSYSTEM="1", HOME=work)

    def git(*args):
        subprocess.run(["git", "-C", work + "/src", *args], check=True, env=env,
                       stdout=subprocess.DEVNULL)

    os.makedirs(work + "/src")
    git("init", "-q", "-b", "main")
    names = [f"d{d:02}/f{f:02}.c" for d in range(DIRS) for f in range(FILES)]
    for rev in range(COMMITS + 1):
        if rev == 0:
            touched = names
        else:
            touched = rng.sample(names, 160)
            for gone in rng.sample(names, 8):
                if gone not in touched:
                    os.unlink(f"{work}/src/{gone}")
                    names.remove(gone)
            new = [f"d{rng.randrange(DIRS):02}/n{rev:02}_{i}.c" for i in range(8)]
            names.extend(new)
            touched = touched + new
        for n in touched:
            os.makedirs(os.path.dirname(f"{work}/src/{n}"), exist_ok=True)
            with open(f"{work}/src/{n}", "w") as f:
                f.write(body(rng, n, rev))
        date = f"{1700000000 + rev * 3600} +0000"
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
        git("add", "-A")
        git("commit", "-q", "-m", f"revision {rev}")
    shutil.rmtree(out, ignore_errors=True)
    subprocess.run(["git", "clone", "-q", "--bare", work + "/src", out], check=True, env=env)
    subprocess.run(["git", "-C", out, "gc", "-q"], check=True, env=env)
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
