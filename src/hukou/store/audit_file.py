"""The audit log of a register folder (Parquet): the same hash chain as the database's, one JSON
line per entry in `audit-log.jsonl` beside the tables. A folder has no database to hold its log, yet
reading a person's facts from it is a read of personal data like any other. Writers take turns on
an exclusive lock of the file.
"""

from __future__ import annotations

import fcntl
import json
from datetime import datetime
from pathlib import Path
from typing import Iterator

from hukou.audit.chain import GENESIS, Entry, Finding, entry_hash, verify

AUDIT_FILE = "audit-log.jsonl"


def append_entry(folder: str | Path, at: datetime, who: str, what: str, subject: str, why: str) -> None:
    path = Path(folder) / AUDIT_FILE
    with path.open("a+", encoding="utf-8") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        f.seek(0)
        last = None
        for line in f:
            if line.strip():
                last = json.loads(line)
        seq, prev = (last["seq"] + 1, last["hash"]) if last else (1, GENESIS)
        entry = {"seq": seq, "at": at.isoformat(), "who": who, "what": what, "subject": subject, "why": why,
                 "prev_hash": prev, "hash": entry_hash(prev, seq, at, who, what, subject, why)}
        f.seek(0, 2)
        f.write(json.dumps(entry, ensure_ascii=False) + "\n")


def entries(folder: str | Path) -> Iterator[Entry]:
    path = Path(folder) / AUDIT_FILE
    if not path.exists():
        return
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                e = json.loads(line)
                yield Entry(e["seq"], datetime.fromisoformat(e["at"]), e["who"], e["what"], e["subject"], e["why"],
                            e["prev_hash"], e["hash"])


def verify_file(folder: str | Path) -> Finding | None:
    return verify(entries(folder))
