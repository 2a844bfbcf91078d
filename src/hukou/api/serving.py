"""How `hukou serve` runs the API under uvicorn: one process or several workers.

Workers are separate processes, so each builds its own app from the environment
(`HUKOU_POLICY`, `HUKOU_DATABASE_URL`) through `app_from_environment`. Each binds its own listening
socket on the same port (`SO_REUSEPORT`, where the system has it), so the kernel spreads the
connections over the workers; on one shared socket the first worker to wake takes every
connection that is waiting, and a few busy keep-alive clients all end up on one process. A worker
that dies is started again. The access log is off: at hundreds of requests a second it costs the
server a noticeable share of its CPU (docs/benchmarks.md).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import time

from fastapi import FastAPI


def app_from_environment() -> FastAPI:
    import sys

    from hukou.api.app import create_app
    from hukou.policies import DEFAULT_POLICY

    database = os.environ.get("HUKOU_DATABASE_URL") or None
    if database and database.startswith(("postgresql", "sqlite")):
        # A writing thread whose database call has returned waits for the interpreter lock while the
        # event loop runs, and Python hands it over every 5 ms by default: on PostgreSQL the next
        # round trip queues behind it, on SQLite the write lock that every worker waits for stays
        # held. 0.5 ms: submissions +15–20% on PostgreSQL, +30% on SQLite with two workers
        # (docs/benchmarks.md).
        sys.setswitchinterval(0.0005)
    from hukou.api.notifying import with_dispatcher

    return with_dispatcher(create_app(os.environ.get("HUKOU_POLICY") or DEFAULT_POLICY, database))


def run(host: str, port: int, policy: str, database: str | None = None, workers: int = 1) -> None:
    os.environ["HUKOU_POLICY"] = policy
    if database:
        os.environ["HUKOU_DATABASE_URL"] = database
    if workers <= 1 or not hasattr(socket, "SO_REUSEPORT"):
        import uvicorn

        uvicorn.run(APP, factory=True, host=host, port=port, workers=workers, log_level="warning", access_log=False)
        return
    _supervise(host, port, workers)


APP = "hukou.api.serving:app_from_environment"
RESTART_PAUSE_S = 1.0  # between a worker's death and its new start, so a worker that cannot start does not spin


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def _listening_socket(host: str, port: int) -> socket.socket:
    sock = socket.socket(_family(host), socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


def _check_free(host: str, port: int) -> None:
    """An input error now if anything holds the port, even another server's workers (a bind without
    SO_REUSEPORT is refused beside them), instead of sharing its connections with it."""
    from hukou.policy.errors import InputError

    probe = socket.socket(_family(host), socket.SOCK_STREAM)
    try:
        probe.bind((host, port))
    except OSError as exc:
        raise InputError("--port", f"cannot listen on {host}:{port}: {exc.strerror or exc}; stop what serves there, "
                                   "or choose another --port") from None
    finally:
        probe.close()


def _worker(host: str, port: int) -> None:
    import uvicorn

    config = uvicorn.Config(APP, factory=True, host=host, port=port, log_level="warning", access_log=False)
    uvicorn.Server(config).run(sockets=[_listening_socket(host, port)])


def _supervise(host: str, port: int, workers: int) -> None:
    """Start `workers` processes, each on its own socket of the port; start a dead one again; stop
    them all on SIGINT or SIGTERM."""
    _check_free(host, port)
    context = multiprocessing.get_context("spawn")
    stopping = False

    def stop(_signum, _frame) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    procs = [context.Process(target=_worker, args=(host, port), daemon=True) for _ in range(workers)]
    for proc in procs:
        proc.start()
    try:
        while not stopping:
            time.sleep(0.2)
            for i, proc in enumerate(procs):
                if not proc.is_alive() and not stopping:
                    time.sleep(RESTART_PAUSE_S)
                    procs[i] = context.Process(target=_worker, args=(host, port), daemon=True)
                    procs[i].start()
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
        for proc in procs:
            proc.join(timeout=10)
