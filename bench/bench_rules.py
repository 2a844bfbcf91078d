"""Benchmark: one person, full explanation, in process (issue target: p50 ≤ 60 µs, p99 ≤ 200 µs).

Times `evaluate` (parsed facts → verdict with every reason in Chinese and English) and `check`
(raw facts validated first) over the example people, after a warm-up. Run: `make bench`.
"""

from __future__ import annotations

import gc
import statistics
import sys
import time
from datetime import date
from importlib import resources

import yaml

from hukou.policies import load
from hukou.policy.verdict import check, evaluate, parse_person

ROUNDS = 20_000
D = date(2019, 3, 1)


def people() -> list[dict]:
    files = sorted(p for p in resources.files("hukou.examples").iterdir() if p.name.endswith(".yaml"))
    raw = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in files]
    # a fuller person: every key present, a permit with endorsements, a family
    raw.append({
        "birth_date": "1988-02-01", "hukou": {"place": "622425", "urban": False},
        "residence": [{"from": "2012-01-01", "to": "2015-12-31", "place": "652301104201", "urban": False},
                      {"from": "2016-01-01", "to": None, "place": "652301003", "urban": True}],
        "housing": {"kind": "rented", "registered": True},
        "employment": [{"from": "2012-03-01", "to": "2016-02-28"}, {"from": "2016-03-01", "to": None}],
        "social_insurance": [{"from": "2013-01", "to": None}],
        "education": [{"level": "vocational", "admitted": "2004-09-01", "graduated": "2007-07-01"}],
        "qualifications": [{"kind": "skill_certificate", "obtained": "2017-05-01"}],
        "military": {"enlisted": "2007-12-01", "discharged": "2011-12-01"},
        "permit": {"issued": "2016-06-01", "endorsements": ["2017-05-20", "2018-05-15"]},
        "family": {"spouse": {"moving": True}, "children": [{"birth_date": "2013-06-01", "moving": True}], "parents": [{"moving": False}]},
    })
    return raw


def measure(fn, inputs: list, rounds: int) -> list[float]:
    for x in inputs * 200:  # warm-up
        fn(x)
    samples = []
    gc.disable()
    try:
        for i in range(rounds):
            x = inputs[i % len(inputs)]
            t0 = time.perf_counter_ns()
            fn(x)
            samples.append((time.perf_counter_ns() - t0) / 1000)
    finally:
        gc.enable()
    return samples


def report(name: str, samples: list[float], p50_target: float | None = None, p99_target: float | None = None) -> bool:
    q = statistics.quantiles(samples, n=100)
    p50, p99 = statistics.median(samples), q[98]
    ok = (p50_target is None or p50 <= p50_target) and (p99_target is None or p99 <= p99_target)
    target = f"  target p50 ≤ {p50_target:.0f} µs, p99 ≤ {p99_target:.0f} µs" if p50_target else ""
    print(f"{name:<44} p50 {p50:7.1f} µs   p99 {p99:7.1f} µs   max {max(samples):8.1f} µs{target}  {'ok' if ok else 'MISSED' if target else ''}")
    return ok


def main() -> int:
    policy = load("changji-2018")
    raw = people()
    parsed = [parse_person(r) for r in raw]
    print(f"one person, full explanation, {ROUNDS:,} rounds over {len(raw)} people, Python {sys.version.split()[0]}")
    ok = report("evaluate: verdict with every reason", measure(lambda p: evaluate(p, D, policy), parsed, ROUNDS), 60, 200)
    report("evaluate + as_dict (RULEBOOK §7 JSON shape)", measure(lambda p: evaluate(p, D, policy).as_dict(), parsed, ROUNDS))
    report("check: validate raw facts, evaluate, as_dict", measure(lambda r: check(r, D, policy), raw, ROUNDS))
    report("parse_person (validation only)", measure(parse_person, raw, ROUNDS))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
