"""the work queue's columns on cases: status, due date, submission, finished, whose turn, last change

Every case already in the database gets them from its own log, by the same pure rules the service
writes them with (cases/queue_columns.py), with the national time limits (20 working days, 15 and
30 days: the caps a city's policy may only shorten; the next action on a case writes its own city's).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 15:10:00
"""
import json

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

_INDEXES = {
    "ix_cases_queue_township": ["township", "finished", "due", "submitted_at"],
    "ix_cases_queue_waiting": ["waiting_on", "finished", "due", "submitted_at"],
    "ix_cases_queue_due": ["finished", "due", "submitted_at"],
    "ix_cases_queue_submitted": ["finished", "submitted_at"],
}
_CHUNK = 2000  # cases derived and written at a time


def upgrade() -> None:
    # plain ADD COLUMN and CREATE INDEX: on SQLite a batch would copy and drop `cases`, which the
    # foreign keys of the case tables forbid
    op.add_column('cases', sa.Column('status', sa.String(length=30), server_default='submitted', nullable=False))
    op.add_column('cases', sa.Column('due', sa.Date(), nullable=True))
    op.add_column('cases', sa.Column('submitted_at', sa.DateTime(), nullable=True))
    op.add_column('cases', sa.Column('finished', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('cases', sa.Column('waiting_on', sa.String(length=20), server_default='police_station',
                                     nullable=False))
    op.add_column('cases', sa.Column('updated_at', sa.DateTime(), nullable=True))
    for name, columns in _INDEXES.items():
        op.create_index(name, 'cases', columns, unique=False)
    _derive_from_logs()


def _derive_from_logs() -> None:
    from hukou.cases import case as C
    from hukou.cases.queue_columns import queue_columns

    conn = op.get_bind()
    cases = sa.table("cases", sa.column("id"), sa.column("kind"), sa.column("number"), sa.column("status"),
                     sa.column("due", sa.Date), sa.column("submitted_at", sa.DateTime), sa.column("finished", sa.Boolean),
                     sa.column("waiting_on"), sa.column("updated_at", sa.DateTime))
    actions = sa.table("case_actions", sa.column("case_id"), sa.column("seq"), sa.column("type"),
                       sa.column("at", sa.DateTime), sa.column("by_user"), sa.column("role"), sa.column("data"))
    ids = conn.execute(sa.select(cases.c.id, cases.c.kind, cases.c.number).order_by(cases.c.id)).all()
    update = cases.update().where(cases.c.id == sa.bindparam("case_id")).values(
        status=sa.bindparam("s"), due=sa.bindparam("d"), submitted_at=sa.bindparam("sub"), finished=sa.bindparam("f"),
        waiting_on=sa.bindparam("w"), updated_at=sa.bindparam("u"))
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        logs: dict[str, list] = {row.id: [] for row in chunk}
        for a in conn.execute(sa.select(actions).where(actions.c.case_id.in_(list(logs)))
                              .order_by(actions.c.case_id, actions.c.seq)):
            data = json.loads(a.data) if isinstance(a.data, str) else a.data
            logs[a.case_id].append(C.Action(a.type, a.at, a.by_user, a.role,
                                            data if isinstance(data, dict) else {"value": data}))
        rows = []
        for row in chunk:
            derived = queue_columns(C.Case(row.id, row.kind, tuple(logs[row.id]), row.number or ""))
            rows.append({"case_id": row.id, "s": derived.status, "d": derived.due, "sub": derived.submitted_at,
                         "f": derived.finished, "w": derived.waiting_on, "u": derived.updated_at})
        if rows:
            conn.execute(update, rows)


def downgrade() -> None:
    for name in _INDEXES:
        op.drop_index(name, table_name='cases')
    for column in ('updated_at', 'waiting_on', 'finished', 'submitted_at', 'due', 'status'):
        op.drop_column('cases', column)
