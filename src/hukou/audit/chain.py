"""The audit log's hash chain (pure): each entry's hash covers its content and the hash before it.

`verify(entries)` walks the entries in order and names the first one that is not as written:
*changed* (its content no longer gives its hash), *removed* (an entry before it is missing: a gap
in the numbers, or it follows a hash no entry has), *inserted* (it was put between two entries that
followed each other) or *reordered* (it follows an entry that now comes after it). A chain alone
cannot catch a whole rewritten tail; signed checkpoints (a later issue) will.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

from hukou.i18n import Msg, localized

GENESIS = "0" * 64


@dataclass(frozen=True)
class Entry:
    seq: int
    at: datetime
    who: str
    what: str
    subject: str
    why: str
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class Finding:
    seq: int
    problem: str  # changed | removed | inserted | reordered
    detail: str

    def line(self, lang: str = "en") -> str:
        problem = _PROBLEMS.get(self.problem, self.problem)
        return localized(Msg("entry {seq}: {problem}: {detail}", seq=self.seq, problem=problem, detail=self.detail), lang)


_PROBLEMS = {"changed": Msg("changed"), "removed": Msg("removed"), "inserted": Msg("inserted"),
             "reordered": Msg("reordered")}


def entry_hash(prev: str, seq: int, at: datetime, who: str, what: str, subject: str, why: str) -> str:
    body = json.dumps([prev, seq, at.isoformat(), who, what, subject, why], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def verify(entries: Iterable[Entry]) -> Finding | None:
    """The first entry that is not as it was written, or None when the chain is whole."""
    entries = list(entries)
    position = {e.hash: i for i, e in enumerate(entries)}  # held in memory: fine for millions of entries
    prev, expected = GENESIS, 1
    for i, e in enumerate(entries):
        if entry_hash(e.prev_hash, e.seq, e.at, e.who, e.what, e.subject, e.why) != e.hash:
            return Finding(e.seq, "changed", Msg("its content does not give its hash"))
        if e.seq != expected:
            return Finding(expected, "removed", Msg("the numbers jump from {last} to {seq}", last=expected - 1, seq=e.seq))
        if e.prev_hash != prev:
            return _misplaced(entries, i, position)
        prev, expected = e.hash, e.seq + 1
    return None


def _misplaced(entries: list[Entry], i: int, position: dict[str, int]) -> Finding:
    """Why entry i does not follow the one before it. Moving an entry changes its number and so its
    hash; an entry that came right before e is found by hashing it under the numbers it may have had.
    """
    e = entries[i]
    before = position.get(e.prev_hash)
    if before is not None and before == i - 2:
        return Finding(entries[i - 1].seq, "inserted", Msg("entry {seq} follows entry {before} directly", seq=e.seq,
                                                     before=entries[before].seq))
    for x in entries[i + 1:]:
        hashes = {x.hash} | {entry_hash(x.prev_hash, n, x.at, x.who, x.what, x.subject, x.why)
                             for n in (e.seq - 1, e.seq, x.seq - 1)}
        if e.prev_hash in hashes:
            return Finding(e.seq, "reordered", Msg("it follows what is now entry {seq}, which comes after it", seq=x.seq))
    return Finding(e.seq, "removed", Msg("the entry it follows is missing"))
