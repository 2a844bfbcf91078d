"""Benchmark: the API under load, a real server on loopback (issue targets: settlement applications
submitted ≥ 400 per second sustained with p95 ≤ 50 ms, on SQLite and on PostgreSQL; the eligibility
check ≥ 1,000 requests per second with p95 ≤ 20 ms).

    python bench/bench_load.py [--database URL ...] [--workers N] [--seconds S] [--repeat R]

The eligibility check is measured on the PostgreSQL server when there is one (it reads no database).

For each database: a fresh one (an SQLite file is deleted, a PostgreSQL database dropped and created),
migrated, with a small synthetic register and a bench user; then `hukou serve` in a subprocess on
127.0.0.1 at a free port, a bearer token, and load from this process. The client is asyncio over a
few keep-alive HTTP/1.1 connections, each sending one request and reading the whole reply before
the next (a closed loop), with request bytes built ahead; every submission has its own
Idempotency-Key. Each phase has a warm-up, then at least `--seconds` measured. Any reply that is
not 2xx, or a broken connection, is an error. After the submissions the audit chain is verified and
the cases counted. Prints measured against target per phase (the median over `--repeat` runs) and
exits non-zero on a miss. Run: `make bench`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

HOST = "127.0.0.1"
SQLITE_DEFAULT = "sqlite:////tmp/hukou-bench-load.sqlite"
POSTGRES_DEFAULT = "postgresql://postgres@127.0.0.1/hukou_bench_load"
REGISTER_PEOPLE = 1_000
APPLICANTS = 50  # accounts bound to people of the register, each submitting for themselves
PASSWORD = "bench-applicant-password"
TOWNSHIP = "652301001"
ELIGIBILITY_FACTS = {
    "birth_date": "1992-04-18", "hukou": {"place": "622425", "urban": False},
    "residence": [{"from": "2015-03-01", "to": None, "place": "652301003", "urban": True}],
    "housing": {"kind": "rented", "registered": True}, "employment": [{"from": "2015-03-01", "to": None}],
    "education": [], "qualifications": [],
}
# server processes by database, as measured (docs/benchmarks.md): two for each (SQLite's writers take
# turns across processes on a lock file; the eligibility check reads no database)
WORKERS = {"sqlite": 2, "postgresql": 2}
# name: (requests per second at least, p95 in ms at most)
TARGETS = {"submit": (400.0, 50.0), "eligibility": (1000.0, 20.0)}


# -- the database and the server -------------------------------------------------------------------

def prepare_database(url: str) -> None:
    """A fresh database at `url`, migrated, with a small register and the bench user."""
    from sqlalchemy.engine import make_url

    from hukou.registry.synth import generate
    from hukou.store.database import connect, load_tables, migrate
    from hukou.store.users import create_user

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(parsed.database + suffix).unlink(missing_ok=True)
    else:
        import psycopg

        admin = psycopg.connect(host=parsed.host or HOST, port=parsed.port or 5432, user=parsed.username or "postgres",
                                password=parsed.password, dbname="postgres", autocommit=True, connect_timeout=5)
        admin.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{parsed.database}"')
        admin.close()
    engine = connect(url)
    migrate(engine)
    tables = generate(REGISTER_PEOPLE, seed=7)
    load_tables(engine, tables)
    for i, number in enumerate(tables["identity"]["id_number"].to_pylist()[:APPLICANTS]):
        create_user(engine, f"bench-{i}", PASSWORD, "applicant", id_number=number)
    engine.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@dataclass
class Server:
    proc: subprocess.Popen
    port: int
    log: Path

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def settle(self, deadline: float) -> None:
        """Wait until every worker has started: the server answers as soon as one has, while the
        others may still be importing (their CPU would count against the first phase)."""
        while time.monotonic() < deadline:
            before = self.cpu_seconds()
            time.sleep(0.5)
            if self.cpu_seconds() - before < 0.05:
                return

    def cpu_seconds(self) -> float:
        """User + system CPU of the server and its worker processes so far (from /proc)."""
        total = 0.0
        tick = os.sysconf("SC_CLK_TCK")
        pids = [self.proc.pid]
        try:
            pids += [int(p) for p in Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()]
        except OSError:
            pass
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / tick
            except (OSError, IndexError, ValueError):
                pass
        return total


def start_server(url: str, workers: int) -> Server:
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="hukou-bench-server-", suffix=".log")[1])
    cmd = [sys.executable, "-m", "hukou", "serve", "--host", HOST, "--port", str(port), "--database", url,
           "--workers", str(workers)]
    proc = subprocess.Popen(cmd, stdout=log.open("w"), stderr=subprocess.STDOUT)
    server = Server(proc, port, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/api/v1/health", timeout=1) as r:
                if r.status == 200:
                    server.settle(deadline)
                    return server
        except OSError:
            time.sleep(0.2)
    server.stop()
    raise SystemExit(f"the server did not answer within 60 s:\n{log.read_text()[-3000:]}")


def sign_in(port: int) -> list[str]:
    """A token for each bench applicant."""
    tokens = []
    for i in range(APPLICANTS):
        form = urllib.parse.urlencode({"username": f"bench-{i}", "password": PASSWORD}).encode()
        with urllib.request.urlopen(f"http://{HOST}:{port}/api/v1/token", data=form, timeout=10) as r:
            tokens.append(json.load(r)["access_token"])
    return tokens


# -- the client ------------------------------------------------------------------------------------

def _request(path: str, body: bytes, headers: dict[str, str]) -> bytes:
    head = [f"POST {path} HTTP/1.1", f"Host: {HOST}", "Content-Type: application/json",
            f"Content-Length: {len(body)}", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def eligibility_requests():
    req = _request("/api/v1/eligibility?date=2019-03-01", json.dumps(ELIGIBILITY_FACTS).encode(), {})
    return lambda conn, i: req


def submission_requests(tokens: list[str], run: str):
    """Each request's bytes: one of the bench applicants (people of the register, whose facts are the
    register's) applying for settlement, with a unique Idempotency-Key."""
    body = json.dumps({"kind": "settlement", "township": TOWNSHIP}).encode()
    prefix = [_request("/api/v1/applications", body, {"Authorization": f"Bearer {token}"}) for token in tokens]
    # the key goes last among the headers: split the built request where the headers end
    parts = [(p[:p.index(b"\r\n\r\n")], p[p.index(b"\r\n\r\n"):]) for p in prefix]

    def make(conn: int, i: int) -> bytes:
        head, rest = parts[i % len(parts)]
        return b"%s\r\nIdempotency-Key: %s-%d-%d%s" % (head, run.encode(), conn, i, rest)

    return make


@dataclass
class Result:
    name: str
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0  # non-2xx replies and broken connections in the measured window
    created: int = 0  # 201 replies, warm-up included
    client_cpu: float = 0.0
    server_cpu: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0

    def pct(self, q: float) -> float:
        xs = sorted(self.latencies_ms)
        return xs[min(len(xs) - 1, int(q * len(xs)))] if xs else float("nan")


async def _read_reply(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    lower = head.lower()
    at = lower.find(b"\r\ncontent-length:")
    if at < 0:
        raise ConnectionError("a reply without Content-Length")
    length = int(lower[at + 17:lower.index(b"\r\n", at + 2)])
    await reader.readexactly(length)
    return status


async def _drive(port: int, make, connections: int, warmup: float, seconds: float, result: Result) -> None:
    loop = asyncio.get_running_loop()
    start = loop.time()
    measure_from, stop_at = start + warmup, start + warmup + seconds

    async def one(conn: int) -> None:
        reader, writer = await asyncio.open_connection(HOST, port)
        i = 0
        try:
            while True:
                t0 = loop.time()
                if t0 >= stop_at:
                    return
                writer.write(make(conn, i))
                i += 1
                try:
                    status = await _read_reply(reader)
                except (ConnectionError, asyncio.IncompleteReadError, ValueError):
                    if t0 >= measure_from:
                        result.errors += 1
                    writer.close()
                    reader, writer = await asyncio.open_connection(HOST, port)
                    continue
                t1 = loop.time()
                result.created += status == 201
                if t0 >= measure_from:
                    result.latencies_ms.append((t1 - t0) * 1000)
                    result.statuses[status] = result.statuses.get(status, 0) + 1
                    if not 200 <= status < 300:
                        result.errors += 1
        finally:
            writer.close()

    await asyncio.gather(*(one(c) for c in range(connections)))
    result.seconds = seconds


def run_phase(name: str, server: Server, make, connections: int, warmup: float, seconds: float) -> Result:
    result = Result(name)
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    srv0 = server.cpu_seconds()
    asyncio.run(_drive(server.port, make, connections, warmup, seconds, result))
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    result.client_cpu = (cpu1.ru_utime - cpu0.ru_utime + cpu1.ru_stime - cpu0.ru_stime) / (warmup + seconds)
    result.server_cpu = (server.cpu_seconds() - srv0) / (warmup + seconds)
    return result


def check_store(url: str, created: int) -> str | None:
    """What is wrong with the store after the submissions, or None: the audit chain is whole and
    every 201 left exactly one case."""
    from sqlalchemy import text

    from hukou.store.audit_log import verify_log
    from hukou.store.database import connect

    engine = connect(url)
    try:
        broken = verify_log(engine)
        with engine.connect() as conn:
            cases = conn.execute(text("SELECT count(*) FROM cases")).scalar()
    finally:
        engine.dispose()
    if broken is not None:
        return f"the audit chain breaks: {broken.line()}"
    if cases != created:
        return f"{cases} cases in the store for {created} submissions answered 201"
    return None


# -- the report ------------------------------------------------------------------------------------

def line(label: str, r: Result) -> str:
    other = {s: n for s, n in r.statuses.items() if not 200 <= s < 300}
    return (f"  {label}: {r.rate:7.0f} req/s  p50 {r.pct(0.50):5.1f} ms  p95 {r.pct(0.95):5.1f} ms  "
            f"p99 {r.pct(0.99):5.1f} ms  errors {r.errors}{' ' + str(other) if other else ''}  "
            f"(server CPU {r.server_cpu:.2f} cores, client {r.client_cpu:.2f}; load {os.getloadavg()[0]:.1f})")


def verdict(label: str, target: str, runs: list[Result]) -> bool:
    rate = statistics.median(r.rate for r in runs)
    p95 = statistics.median(r.pct(0.95) for r in runs)
    errors = sum(r.errors for r in runs)
    min_rate, max_p95 = TARGETS[target]
    ok = rate >= min_rate and p95 <= max_p95 and errors == 0
    print(f"{label}: {rate:.0f} req/s, p95 {p95:.1f} ms, {errors} errors (median of {len(runs)})   "
          f"target ≥ {min_rate:.0f} req/s, p95 ≤ {max_p95:.0f} ms, no errors  {'ok' if ok else 'MISSED'}")
    return ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--database", action="append", default=[],
                    help=f"database URL, repeatable (default: {SQLITE_DEFAULT} and {POSTGRES_DEFAULT}); "
                         "it is deleted and made anew")
    ap.add_argument("--workers", type=int, default=None,
                    help="server processes (default: 1 for SQLite, 2 for PostgreSQL; see docs/benchmarks.md)")
    ap.add_argument("--connections", type=int, default=8, help="client connections (default 8)")
    ap.add_argument("--seconds", type=float, default=10.0, help="measured seconds per phase (default 10)")
    ap.add_argument("--warmup", type=float, default=3.0, help="warm-up seconds per phase (default 3)")
    ap.add_argument("--repeat", type=int, default=1, help="runs of each phase; the median is judged (default 1)")
    ap.add_argument("--no-eligibility", action="store_true", help="skip the eligibility phase")
    args = ap.parse_args()
    urls = args.database or [SQLITE_DEFAULT, POSTGRES_DEFAULT]
    backends = [u.split(":", 1)[0].split("+")[0] for u in urls]
    eligibility_on = backends.index("postgresql") if "postgresql" in backends else 0  # the server with more workers
    print(f"load: {args.connections} connections, {args.warmup:.0f} s warm-up + "
          f"{args.seconds:.0f} s per phase, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
    ok = True
    for i, (url, backend) in enumerate(zip(urls, backends, strict=True)):
        workers = args.workers or WORKERS.get(backend, 1)
        measure_eligibility = i == eligibility_on and not args.no_eligibility
        runs: list[Result] = []
        elig: list[Result] = []
        for n in range(args.repeat):
            prepare_database(url)
            server = start_server(url, workers)
            try:
                tokens = sign_in(server.port)
                if measure_eligibility:
                    r = run_phase("eligibility", server, eligibility_requests(), args.connections, args.warmup, args.seconds)
                    print(line(f"eligibility ({workers} worker(s)), run {n + 1}", r))
                    elig.append(r)
                r = run_phase("submit", server, submission_requests(tokens, f"r{n}"), args.connections, args.warmup,
                              args.seconds)
                print(line(f"submissions on {backend} ({workers} worker(s)), run {n + 1}", r))
                runs.append(r)
            finally:
                server.stop()
            problem = check_store(url, r.created)
            if problem:
                print(f"  store after the submissions on {backend}: {problem}")
                ok = False
        if elig:
            ok &= verdict("eligibility check", "eligibility", elig)
        ok &= verdict(f"applications submitted ({backend})", "submit", runs)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
