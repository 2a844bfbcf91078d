"""Benchmark: `hukou check FILE` as a user runs it, start-up included (issue target: ≤ 0.5 s wall).

Runs the installed command several times after a warm-up and prints the median and the slowest
wall time, with the peak memory of the process. Run: `make bench`.
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

RUNS = 15
TARGET_S = 0.5
EXAMPLE = Path(__file__).resolve().parent.parent / "src" / "hukou" / "examples" / "1-renting-migrant-worker.yaml"


def main() -> int:
    exe = shutil.which("hukou", path=os.path.dirname(sys.executable)) or shutil.which("hukou")
    if exe is None:
        print("hukou is not installed in this environment (make install)")
        return 2
    cmd = [exe, "check", str(EXAMPLE), "--date", "2019-03-01"]
    subprocess.run(cmd, check=True, capture_output=True)  # warm-up: file cache, .pyc
    walls = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        walls.append(time.perf_counter() - t0)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    median = statistics.median(walls)
    ok = median <= TARGET_S
    print(f"hukou check (one file, start-up included), {RUNS} runs: median {median:.3f} s, slowest {max(walls):.3f} s, "
          f"peak memory {peak_mb:.0f} MB   target ≤ {TARGET_S} s  {'ok' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
