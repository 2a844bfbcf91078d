"""Where the API runs a submission's database transaction: on a few threads of its own, not the
framework's general thread pool of 40.

SQLite takes one writer at a time, so one thread does every write of the process: requests queue
in order instead of 40 threads contending for the lock and the interpreter. PostgreSQL overlaps
the network round trips of a few transactions (the audit chain's advisory lock still orders them),
so it gets `POSTGRES_THREADS`. The event loop never waits on the database itself. Measured in
docs/benchmarks.md.
"""

from __future__ import annotations

import asyncio
import functools
import weakref
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, TypeVar

from sqlalchemy import Engine

T = TypeVar("T")
POSTGRES_THREADS = 4
_executors: dict[str, ThreadPoolExecutor] = {}  # by database: engines of one database share its threads
# each engine's, remembered: rendering its URL as text on every request cost about 1% of the server's CPU
_of_engine: weakref.WeakKeyDictionary[Engine, ThreadPoolExecutor] = weakref.WeakKeyDictionary()


def executor(engine: Engine) -> ThreadPoolExecutor:
    held = _of_engine.get(engine)
    if held is None:
        key = str(engine.url)
        if key not in _executors:
            threads = 1 if engine.dialect.name == "sqlite" else POSTGRES_THREADS
            _executors.setdefault(key, ThreadPoolExecutor(threads, thread_name_prefix=f"hukou-{engine.dialect.name}-write"))
        held = _of_engine[engine] = _executors[key]
    return held


async def run_write(engine: Engine, fn: Callable[..., T], *args: Any) -> T:
    """`fn(*args)` on the writing threads for `engine`, awaited."""
    return await asyncio.get_running_loop().run_in_executor(executor(engine), functools.partial(fn, *args))
