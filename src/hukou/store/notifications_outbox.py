"""The notifications outbox (table `notifications`): rows written in the transaction of the action
they tell of, then claimed, sent and marked by the dispatcher (services/notifications.py), and read
back as a recipient's inbox.

A row is sent at most once. Claiming one marks it (`sent_at` set, `attempts` counted, `last_error`
"in flight") in a short transaction of its own; on PostgreSQL the claim reads with `FOR UPDATE SKIP
LOCKED`, so two dispatchers never wait for each other nor take the same row, and on SQLite every
write transaction holds the database's write lock from its start (store/database.py). The channel
is asked after that commit: a send that fails puts the row back (`sent_at` empty, the error kept)
for a later try, after a pause that doubles each time; a dispatcher that dies mid-send leaves the
row marked, not sent twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable

from sqlalchemy import Engine, and_, func, or_, select, update
from sqlalchemy.orm import Session

from hukou.store import schema as S
from hukou.store.driver_sql import DriverSQL

IN_FLIGHT = "in flight: sent, not yet confirmed"
MAX_ATTEMPTS = 10
FIRST_PAUSE = timedelta(seconds=30)  # before the second try; then 60 s, 120 s, … (about 8.5 hours in all)
N = S.Notification


@dataclass(frozen=True)
class Claimed:
    id: int
    case_id: str
    seq: int
    event: str
    recipient: str
    attempts: int


class Outbox:
    """The outbox inside a unit of work (store/unit_of_work.py `uow.outbox`)."""

    def __init__(self, session: Session):
        self.session = session

    def add(self, rows: Iterable[tuple[str, int, str, str, str]], at: datetime) -> None:
        add(self.session, rows, at)


def add(session: Session, rows: Iterable[tuple[str, int, str, str, str]], at: datetime) -> None:
    """Rows (case_id, seq, event, recipient, channel) in the caller's transaction: one statement."""
    rows = list(rows)
    if not rows:
        return
    db = DriverSQL.of(session)
    db.run("INSERT INTO notifications (case_id, seq, event, recipient, channel, created_at, attempts) VALUES "
           + ", ".join("(?, ?, ?, ?, ?, ?, 0)" for _ in rows),
           tuple(v for row in rows for v in (*row, db.when(at))))


def _due(now: datetime):
    """Unsent rows whose next try is due: a row tried n times waits FIRST_PAUSE·(2ⁿ − 1) since it was written."""
    waits = [N.attempts == 0] + [and_(N.attempts == n, N.created_at <= now - FIRST_PAUSE * (2 ** n - 1))
                                 for n in range(1, MAX_ATTEMPTS)]
    return and_(N.sent_at.is_(None), or_(*waits))


def claim(engine: Engine, channel: str, now: datetime, batch: int) -> list[Claimed]:
    """Up to `batch` rows of `channel` that are due, marked as being sent, in one committed transaction."""
    with Session(engine) as session, session.begin():
        rows = session.execute(select(N.id, N.case_id, N.seq, N.event, N.recipient, N.attempts)
                               .where(N.channel == channel, _due(now)).order_by(N.id).limit(batch)
                               .with_for_update(skip_locked=True)).all()
        if not rows:
            return []
        session.execute(update(N).where(N.id.in_([r.id for r in rows]))
                        .values(sent_at=now, attempts=N.attempts + 1, last_error=IN_FLIGHT))
    return [Claimed(r.id, r.case_id, r.seq, r.event, r.recipient, r.attempts + 1) for r in rows]


def settle(engine: Engine, sent: Iterable[int], failed: dict[int, str]) -> None:
    """The outcome of the claimed rows: `sent` confirmed (sent when claimed); `failed` put back with their error."""
    sent = list(sent)
    with Session(engine) as session, session.begin():
        if sent:
            session.execute(update(N).where(N.id.in_(sent)).values(last_error=None))
        for row_id, error in failed.items():
            session.execute(update(N).where(N.id == row_id).values(sent_at=None, last_error=error[:500]))


@dataclass(frozen=True)
class Delivered:
    id: int
    case_id: str
    seq: int
    event: str
    sent_at: datetime


def inbox(engine: Engine, recipient: str, channel: str, limit: int = 100) -> list[Delivered]:
    """The messages delivered to `recipient` on `channel`, newest first."""
    with Session(engine) as session:
        rows = session.execute(select(N.id, N.case_id, N.seq, N.event, N.sent_at)
                               .where(N.recipient == recipient, N.channel == channel, N.sent_at.is_not(None),
                                      or_(N.last_error.is_(None), N.last_error != IN_FLIGHT))
                               .order_by(N.sent_at.desc(), N.id.desc()).limit(limit)).all()
    return [Delivered(*r) for r in rows]


def delivered_since(engine: Engine, recipient: str, channel: str, after_id: int) -> int:
    """How many messages were delivered to `recipient` on `channel` with an id above `after_id`."""
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(N).where(
            N.recipient == recipient, N.channel == channel, N.sent_at.is_not(None), N.id > after_id,
            or_(N.last_error.is_(None), N.last_error != IN_FLIGHT))) or 0


def pending(engine: Engine) -> dict[str, int]:
    """channel → rows not sent yet (those given up on after MAX_ATTEMPTS included)."""
    with Session(engine) as session:
        return dict(session.execute(select(N.channel, func.count()).where(N.sent_at.is_(None))
                                    .group_by(N.channel)).all())
