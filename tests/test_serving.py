"""`hukou serve --workers N`: processes that share one port and one SQLite file.

Each worker listens on its own socket of the port, so the kernel spreads connections over them;
their write transactions take turns across processes (store/database.py), so concurrent
submissions from both keep every case and an unbroken audit chain; a stop signal stops them all;
a worker that dies is started again; a port already in use is refused with a message, before any
worker starts.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from hukou.registry.synth import generate
from hukou.store.audit_log import verify_log
from hukou.store.database import connect, load_tables, migrate
from hukou.store.users import create_user, issue_token, viewer_of

pytestmark = pytest.mark.skipif(not hasattr(socket, "SO_REUSEPORT"), reason="workers need SO_REUSEPORT")
APPLICANTS, CONNECTIONS, PER_CONNECTION = 8, 12, 15


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    """The server's worker processes (not multiprocessing's resource tracker)."""
    try:
        pids = [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        return [p for p in pids if b"resource_tracker" not in Path(f"/proc/{p}/cmdline").read_bytes()]
    except OSError:
        return []


def _cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _serve(url: str, port: int, workers: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "hukou", "serve", "--host", "127.0.0.1", "--port", str(port),
                             "--database", url, "--workers", str(workers)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _wait_until_up(proc: subprocess.Popen, port: int, workers: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stdout.read()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/health")
            if conn.getresponse().status == 200 and len(_children(proc.pid)) >= workers:
                time.sleep(1.5)  # the other worker may still be importing
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError("the server did not come up")


def test_two_workers_share_the_port_and_keep_every_case_and_the_chain(tmp_path):
    url = f"sqlite:///{tmp_path / 'w.sqlite'}"
    engine = connect(url)
    migrate(engine)
    tables = generate(200, seed=3)
    load_tables(engine, tables)
    tokens = []
    for i, number in enumerate(tables["identity"]["id_number"].to_pylist()[:APPLICANTS]):
        create_user(engine, f"a{i}", "applicant-password", "applicant", id_number=number)
        tokens.append(issue_token(engine, viewer_of(engine, f"a{i}"), datetime.now()))
    port = _free_port()
    proc = _serve(url, port, 2)
    try:
        _wait_until_up(proc, port, 2)
        workers = _children(proc.pid)
        before = {pid: _cpu(pid) for pid in workers}
        body = json.dumps({"kind": "settlement", "township": "652301001"})

        def submit_many(c: int) -> list[int]:
            conn, statuses = http.client.HTTPConnection("127.0.0.1", port, timeout=30), []
            for i in range(PER_CONNECTION):
                conn.request("POST", "/api/v1/applications", body=body,
                             headers={"Authorization": f"Bearer {tokens[(c + i) % APPLICANTS]}",
                                      "Idempotency-Key": f"c{c}-{i}", "Content-Type": "application/json"})
                reply = conn.getresponse()
                reply.read()
                statuses.append(reply.status)
            return statuses

        with ThreadPoolExecutor(CONNECTIONS) as pool:
            statuses = [s for batch in pool.map(submit_many, range(CONNECTIONS)) for s in batch]
        assert statuses == [201] * (CONNECTIONS * PER_CONNECTION)
        busy = [pid for pid in workers if _cpu(pid) - before[pid] > 0.05]
        assert len(busy) == 2, "both workers answered submissions"
        os.kill(workers[0], signal.SIGKILL)  # a worker that dies is started again
        deadline = time.monotonic() + 30

        def replaced() -> bool:
            now = _children(proc.pid)
            return len(now) == 2 and workers[0] not in now

        while time.monotonic() < deadline and not replaced():
            time.sleep(0.2)
        assert replaced()
        workers = _children(proc.pid)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(30)
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers), "the workers stopped"
    assert verify_log(engine) is None
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM cases")).scalar() == CONNECTIONS * PER_CONNECTION
    engine.dispose()


def test_a_port_in_use_is_refused_with_a_message(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = _serve(f"sqlite:///{tmp_path / 'p.sqlite'}", port, 2)
        out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 2, out
    assert f"cannot listen on 127.0.0.1:{port}" in out and "--port" in out
    assert "Traceback" not in out
