"""Benchmark: the same verdicts on DuckDB and on local Spark, over one Parquet register.

    python bench/bench_engines.py [--folder DIR] [--residents N] [--engine numpy --engine duckdb --engine spark] [--runs 3]
                                  [--conf spark.key=value ...]

Each run is a fresh process doing what `hukou simulate --engine E` does. Spark runs the rules in a
Java process the Python process starts, so peak memory here is the whole process tree's (sampled
from /proc every 50 ms: resident set sizes summed), and CPU time is the tree's too. Reports the
time of the rules alone (the engine's start-up excluded: a JVM and a Spark session take seconds),
the process's wall time, CPU time and peak memory; medians over the runs. Linux only.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

SIMULATE = """
import sys, time
from datetime import date
engine, folder, conf = sys.argv[1], sys.argv[2], sys.argv[3:]
t0 = time.perf_counter()
from hukou.policies import load
from hukou.store.simulation import simulate
if engine == "spark":
    from pyspark.sql import SparkSession
    builder = SparkSession.builder.config("spark.ui.showConsoleProgress", "false")
    for kv in conf:
        builder = builder.config(*kv.split("=", 1))
    builder.getOrCreate()
t1 = time.perf_counter()
rows = simulate(folder, date(2020, 11, 1), load("changji-2018"), engine=engine)
t2 = time.perf_counter()
print(rows.num_rows, f"{t1 - t0:.2f}", f"{t2 - t1:.2f}")
"""

PAGE = os.sysconf("SC_PAGE_SIZE")
TICK = os.sysconf("SC_CLK_TCK")


def _tree(root: int) -> list[int]:
    """The process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += children.get(pid, [])
    return out


def _sample(pids: list[int], cpu: dict[int, float]) -> int:
    rss = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        rss += int(fields[21]) * PAGE  # field 24 of stat: resident pages
        cpu[pid] = (int(fields[11]) + int(fields[12])) / TICK  # utime + stime
    return rss


def run(engine: str, folder: Path, conf: list[str]) -> tuple[float, float, float, float, int]:
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", SIMULATE, engine, str(folder), *conf],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    peak, cpu = 0, {}
    while proc.poll() is None:
        peak = max(peak, _sample(_tree(proc.pid), cpu))
        time.sleep(0.05)
    wall = time.perf_counter() - t0
    out = proc.stdout.read()
    if proc.returncode:
        raise SystemExit(f"{engine} run failed ({proc.returncode}): {out}")
    rows, _, rules = out.strip().splitlines()[-1].split()
    return float(rules), wall, sum(cpu.values()), peak / 1e9, int(rows)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--residents", type=int, default=607_441)
    ap.add_argument("--folder", type=Path, default=None)
    ap.add_argument("--engine", action="append", choices=("native", "duckdb", "spark"), default=[])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--conf", action="append", default=[], help="a Spark setting key=value (repeatable)")
    args = ap.parse_args()
    folder = args.folder or Path(f"/tmp/hukou-bench-register-{args.residents}")
    if not folder.exists():
        subprocess.run([sys.executable, "-m", "hukou", "synth", "--residents", str(args.residents), "--out", str(folder)],
                       check=True, capture_output=True)
    for engine in args.engine or ["native", "duckdb", "spark"]:
        results = [run(engine, folder, args.conf) for _ in range(args.runs)]
        rules, wall, cpu, peak = (statistics.median(r[i] for r in results) for i in range(4))
        print(f"{engine}: {results[0][4]:,} people (Parquet → verdicts): rules {rules:.2f} s, process {wall:.1f} s, "
              f"CPU {cpu:.1f} s, peak {peak:.2f} GB (process tree; medians of {args.runs}: "
              f"rules {', '.join(f'{r[0]:.2f}' for r in results)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
