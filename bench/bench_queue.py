"""Benchmark: the work queue over 50,000 cases (issue 12's target: every page below answers in
≤ 200 ms at the 95th percentile, through the service and through the HTTP page), on SQLite and on
PostgreSQL.

    python bench/bench_queue.py [--database URL ...] [--cases N] [--runs R]

For each database: a fresh one (an SQLite file deleted, a PostgreSQL database dropped and created),
migrated, then N cases written straight into the tables, spread over the city's 19 townships, the
four kinds and every step from submission to registration, withdrawal or rejection. Each case's log
is built with the pure case rules (`cases.case.append`, every check applied, as the service would
append it), its parties and queue columns derived from that log (`cases.queue_columns`), and case
numbers counted per series, so the rows are those the service would have written; a few thousand
cases a second instead of the service's one transaction each. Then ANALYZE (as autovacuum would),
a police station's and a city-wide approver's accounts, and each page timed `--runs` times after
two warm-ups: `Casework.queue_page` (count, page, the page's logs, the audit entry), and `GET /cases`
with the same filters through FastAPI's TestClient (the service plus the page's rendering). Prints
p50 and p95 per page and exits non-zero when a p95 is over the target. Run: `make bench`.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

SQLITE_DEFAULT = "sqlite:////tmp/hukou-bench-queue.sqlite"
POSTGRES_DEFAULT = "postgresql://postgres@127.0.0.1/hukou_bench_queue"
TARGET_MS = 200.0
STATION_TOWNSHIP = "652301001"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红梅鹏飞建国志强海燕晓东文博子轩浩然雨欣思远佳怡"
PLACES = ("622425", "652301", "650102", "410522", "511321", "622301", "654002", "371523")
KINDS = (("settlement", 50), ("residence_permit", 35), ("student_move", 8), ("graduate_move", 7))
# how far a case has got (weights): the steps of a settlement; a permit is issued instead of registered
STAGES = (("submitted", 14), ("materials_requested", 5), ("accepted", 24), ("reviewed", 10), ("awaiting_second", 2),
          ("approved", 8), ("done", 25), ("rejected", 5), ("withdrawn", 7))


# -- building the cases ----------------------------------------------------------------------------

def id_number(rng: random.Random, born_from: int = 1960, born_to: int = 2004) -> str:
    from stdnum.cn import ric

    born = date(born_from, 1, 1) + timedelta(days=rng.randrange((date(born_to, 12, 31) - date(born_from, 1, 1)).days))
    body = f"{rng.choice(PLACES)}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return body + ric.calc_check_digit(body + "0")


def name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


class Builder:
    """Cases as the service would have written them, as rows for the four case tables."""

    def __init__(self, today: date, seed: int = 12):
        from hukou.cases.deadlines import TimeLimits
        from hukou.cases.viewer import Viewer
        from hukou.registry.divisions import township_names

        self.rng = random.Random(seed)
        self.now = datetime.combine(today, datetime.min.time()) + timedelta(hours=8)
        self.limits = TimeLimits()
        self.townships = sorted(township_names())
        self.approvers = (Viewer("bench-approver", "county_approver", city_wide=True),
                          Viewer("bench-approver-2", "county_approver", city_wide=True))
        self.Viewer = Viewer
        self.cases: list[dict] = []
        self.actions: list[dict] = []
        self.parties: list[dict] = []
        self.counters: dict[str, int] = {}
        self.used: set[str] = set()

    def _person(self, **born) -> str:
        while True:
            number = id_number(self.rng, **born)
            if number not in self.used:
                self.used.add(number)
                return number

    def _township(self) -> str:
        # the first township (the station's) busier than the others, the rest alike
        return STATION_TOWNSHIP if self.rng.random() < 0.12 else self.rng.choice(self.townships)

    def build(self, n: int) -> None:
        kinds = [k for k, _ in KINDS]
        kind_weights = [w for _, w in KINDS]
        stages = [s for s, _ in STAGES]
        stage_weights = [w for _, w in STAGES]
        for _ in range(n):
            self.add(self.rng.choices(kinds, kind_weights)[0], self.rng.choices(stages, stage_weights)[0])

    def add(self, kind: str, stage: str) -> None:
        from hukou.cases import case as C
        from hukou.cases.numbers import case_number, series

        rng, V = self.rng, self.Viewer
        township = self._township()
        station = V(f"bench-station-{township}", "police_station", township)
        me = V(f"bench-applicant-{len(self.cases)}", "applicant", id_number=self._person(), name=name(rng))
        followers = []
        if kind == "settlement" and rng.random() < 0.35:
            followers.append({"key": "f1", "relation": "spouse", "id_number": self._person(born_to=2000),
                              "name": name(rng), "person_id": None})
            if rng.random() < 0.5:
                followers.append({"key": "f2", "relation": "child", "id_number": self._person(born_from=2012, born_to=2020),
                                  "name": name(rng), "person_id": None})
        steps = self._steps(kind, stage, followers)
        span = sum(gap for gap, *_ in steps) + 1
        window = 365 if stage in ("done", "rejected", "withdrawn") else 40  # open cases are recent ones
        at = self.now - timedelta(days=rng.randrange(span, span + window), hours=rng.randrange(0, 9))
        in_series = series("昌", kind, at.year)
        self.counters[in_series] = self.counters.get(in_series, 0) + 1
        case = C.Case(str(uuid.uuid4()), kind, number=case_number(in_series, self.counters[in_series]))
        submission = {"applicant": {"key": "applicant", "relation": "applicant", "id_number": me.id_number,
                                    "name": me.name, "person_id": None}, "followers": followers, "counter": False}
        case = C.append(case, C.Action(C.SUBMITTED, at, me.username, me.role, submission), 0, me)
        decided = None
        for gap, who, type_, data in steps:
            at += timedelta(days=gap, minutes=rng.randrange(1, 300))
            actor = {"me": me, "station": station, "approver": self.approvers[0], "second": self.approvers[1]}.get(who)
            if who == "spouse":
                actor = V(f"bench-spouse-{len(self.cases)}", "applicant", id_number=followers[0]["id_number"])
            if type_ == C.CONSENT_RECORDED:  # as the service records an account's own consent
                data = {"party": "f1" if who == "spouse" else "applicant", "id_number": actor.id_number}
            if type_ == C.SECOND_APPROVAL:
                data = {"decision": case.version, "agree": True}
            if type_ == C.REGISTERED:
                moved = C.who_moves(case, at.date())
                data = {"place": township + "001", "urban": True, "household": "family",
                        "household_id": len(self.cases) + 1,
                        "moved": [{"party": p.key, "person_id": 10_000_000 + len(self.parties) + i, "created": True}
                                  for i, p in enumerate(moved)], "left_out": []}
                decided = at
            case = C.append(case, C.Action(type_, at, actor.username, actor.role, data), case.version, actor)
        self._rows(case, township, decided)

    def _steps(self, kind: str, stage: str, followers: list) -> list[tuple]:
        from hukou.cases import case as C

        verdict = {"status": "eligible", "date": self.now.date().isoformat(), "policy": "changji-2018"}
        hukou = kind != "residence_permit"
        steps: list[tuple] = [(0, "me", C.CONSENT_RECORDED, {})] if hukou else []
        if followers and self.rng.random() < 0.8:
            steps.append((1, "spouse", C.CONSENT_RECORDED, None))
        if stage == "submitted":
            return steps
        if stage == "withdrawn":
            return steps + [(self.rng.randrange(1, 10), "me", C.WITHDRAWN, {})]
        if stage == "materials_requested":
            return steps + [(1, "station", C.MATERIALS_REQUESTED, {"items": ["housing", "residence"]})]
        steps.append((self.rng.randrange(0, 3), "station", C.ACCEPTED, {}))
        if stage == "accepted":
            return steps
        steps.append((self.rng.randrange(1, 8), "station", C.REVIEWED, {}))
        if stage == "reviewed":
            return steps
        if stage == "rejected":
            return steps + [(self.rng.randrange(1, 6), "approver", C.REJECTED,
                             {"failed_rule": "no_route", "override": False, "verdict": {**verdict, "status": "ineligible"}})]
        if stage == "awaiting_second":
            return steps + [(2, "approver", C.APPROVED, {"override": True, "reason": "经实地核查，情况属实",
                                                         "verdict": {**verdict, "status": "ineligible"}})]
        steps.append((self.rng.randrange(1, 6), "approver", C.APPROVED, {"override": False, "verdict": verdict}))
        if stage == "approved":
            return steps
        return steps + [(self.rng.randrange(1, 5), "station", C.REGISTERED if hukou else C.ISSUED, {})]

    def _rows(self, case, township: str, moved_at: datetime | None) -> None:
        from hukou.cases import case as C
        from hukou.cases.queue_columns import queue_columns

        q = queue_columns(case, self.limits)
        first = case.actions[0]
        self.cases.append({"id": case.id, "kind": case.kind, "person_id": None, "township": township,
                           "created_at": first.at, "number": case.number, "status": q.status, "due": q.due,
                           "submitted_at": q.submitted_at, "finished": q.finished, "waiting_on": q.waiting_on,
                           "updated_at": q.updated_at})
        self.actions += [{"case_id": case.id, "seq": i, "type": a.type, "at": a.at, "by_user": a.by, "role": a.role,
                          "data": a.data} for i, a in enumerate(case.actions, start=1)]
        for p in C.state(case).parties:
            self.parties.append({"case_id": case.id, "party": p.key, "kind": case.kind, "relation": p.relation,
                                 "id_number": p.id_number, "name": p.name, "person_id": None, "moved_at": moved_at})


def fresh_database(url: str):
    from sqlalchemy.engine import make_url

    from hukou.store.database import connect, migrate

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm", "-turn"):
            Path(parsed.database + suffix).unlink(missing_ok=True)
    else:
        import psycopg

        admin = psycopg.connect(host=parsed.host or "127.0.0.1", port=parsed.port or 5432,
                                user=parsed.username or "postgres", password=parsed.password, dbname="postgres",
                                autocommit=True, connect_timeout=5)
        admin.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{parsed.database}"')
        admin.close()
    engine = connect(url)
    migrate(engine)
    return engine


def load(engine, built: Builder) -> None:
    from sqlalchemy import insert, text

    from hukou.store import schema as S

    with engine.begin() as conn:
        for model, rows in ((S.CaseRow, built.cases), (S.CaseActionRow, built.actions), (S.CaseParty, built.parties)):
            for start in range(0, len(rows), 5000):
                conn.execute(insert(model), rows[start:start + 5000])
        conn.execute(insert(S.CaseCounter), [{"series": s, "last": n} for s, n in built.counters.items()])
    with engine.connect() as conn:  # outside a transaction: VACUUM ANALYZE on PostgreSQL, ANALYZE on SQLite
        conn = conn.execution_options(isolation_level="AUTOCOMMIT") if engine.dialect.name == "postgresql" else conn
        conn.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))
        if engine.dialect.name == "sqlite":
            conn.commit()


# -- measuring -------------------------------------------------------------------------------------

def scenarios(built: Builder) -> list[tuple[str, str, dict]]:
    """(what, who, the query's parameters as the page's address takes them)."""
    rng = random.Random(5)
    someone = rng.choice([c for c in built.parties if c["party"] == "applicant"])
    follower = rng.choice([c for c in built.parties if c["party"] == "f1"])
    numbered = rng.choice(built.cases)["number"].replace("-", "－")  # typed with a full-width dash
    return [
        ("station: its queue", "station", {}),
        ("approver: waiting for me", "approver", {}),
        ("approver: all cases", "approver", {"scope": "all"}),
        ("search by name", "approver", {"scope": "all", "q": someone["name"]}),
        ("search by a surname", "approver", {"scope": "all", "q": someone["name"][:1]}),
        ("search by ID number", "approver", {"scope": "all", "q": follower["id_number"]}),
        ("search by case number", "approver", {"scope": "all", "q": numbered}),
        ("filtered and sorted", "approver", {"scope": "all", "kind": "settlement", "status": "accepted",
                                             "township": "652301003", "sort": "submitted"}),
        ("station: overdue, by stage", "station", {"overdue": "1", "sort": "status"}),
        ("approver: page 50", "approver", {"scope": "all", "page": "50"}),
    ]


def as_query(params: dict, default_scope: str):
    from hukou.cases.queue_query import QueueQuery
    from hukou.web.case_pages import QUEUE_PAGE_SIZE

    return QueueQuery(kind=params.get("kind"), status=params.get("status"), township=params.get("township"),
                      overdue=params.get("overdue") == "1", waiting=params.get("scope", default_scope) == "mine",
                      search=params.get("q", ""), sort=params.get("sort", "due"), page=int(params.get("page", 1)),
                      page_size=QUEUE_PAGE_SIZE)


def timed(fn, runs: int) -> tuple[float, float, object]:
    for _ in range(2):
        result = fn()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[math.ceil(0.95 * len(times)) - 1], result


def measure(url: str, built: Builder, runs: int) -> list[tuple]:
    from fastapi.testclient import TestClient

    from hukou.api.app import create_app
    from hukou.cases.viewer import Viewer
    from hukou.policies import load as load_policy
    from hukou.services.casework import Casework
    from hukou.store.database import connect
    from hukou.store.users import create_user, issue_token

    engine = connect(url)
    viewers = {"station": Viewer("bench-station", "police_station", STATION_TOWNSHIP),
               "approver": Viewer("bench-city-approver", "county_approver", city_wide=True)}
    purposes = {"station": "casework", "approver": "approval"}
    for v in viewers.values():
        create_user(engine, v.username, "bench-queue-password", v.role, v.township, city_wide=v.city_wide)
    cw = Casework(engine, load_policy("changji-2018"))
    client = TestClient(create_app(database=url), raise_server_exceptions=False)
    tokens = {who: issue_token(engine, v, datetime.now()) for who, v in viewers.items()}
    rows = []
    for what, who, params in scenarios(built):
        viewer, default_scope = viewers[who], "mine" if who == "approver" else "all"
        query = as_query(params, default_scope)
        p50, p95, page = timed(lambda: cw.queue_page(viewer, purposes[who], query, date.today(), datetime.now()), runs)
        rows.append((what, "service", p50, p95, page.total, len(page.items)))
        address = "/cases" + (f"?{urlencode(params)}" if params else "")
        cookies = {"hukou_session": tokens[who], "hukou_purpose": purposes[who]}

        def get():
            client.cookies.clear()
            for k, v in cookies.items():
                client.cookies.set(k, v)
            r = client.get(address)
            assert r.status_code == 200, (address, r.status_code, r.text[:300])
            return r
        h50, h95, response = timed(get, runs)
        shown = response.text.count("data-case=")
        assert shown == len(page.items), (what, shown, len(page.items))
        rows.append((what, "HTTP page", h50, h95, page.total, shown))
    engine.dispose()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", action="append", help=f"default: {SQLITE_DEFAULT} and {POSTGRES_DEFAULT}")
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    urls = args.database or [SQLITE_DEFAULT, POSTGRES_DEFAULT]
    started = time.perf_counter()
    built = Builder(date.today())
    built.build(args.cases)
    statuses: dict[str, int] = {}
    for c in built.cases:
        statuses[c["status"]] = statuses.get(c["status"], 0) + 1
    print(f"{args.cases:,} cases built with the case rules in {time.perf_counter() - started:.1f} s "
          f"({len(built.actions):,} actions, {len(built.parties):,} parties): "
          + ", ".join(f"{s} {n:,}" for s, n in sorted(statuses.items(), key=lambda x: -x[1])))
    missed = []
    for url in urls:
        started = time.perf_counter()
        engine = fresh_database(url)
        load(engine, built)
        engine.dispose()
        print(f"\n{engine.dialect.name}: written in {time.perf_counter() - started:.1f} s")
        print(f"{'page':32} {'through':10} {'p50 ms':>8} {'p95 ms':>8} {'target':>8} {'matches':>8} {'shown':>6}")
        for what, via, p50, p95, total, shown in measure(url, built, args.runs):
            ok = p95 <= TARGET_MS
            if not ok:
                missed.append((engine.dialect.name, what, via, p95))
            print(f"{what:32} {via:10} {p50:8.1f} {p95:8.1f} {TARGET_MS:8.0f} {total:8,} {shown:6}"
                  f"{'' if ok else '  MISSED'}")
    if missed:
        print(f"\n{len(missed)} target(s) missed", file=sys.stderr)
        return 1
    print("\nevery page within its target")
    return 0


if __name__ == "__main__":
    sys.exit(main())
