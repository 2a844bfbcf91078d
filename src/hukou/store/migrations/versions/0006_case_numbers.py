"""case numbers, party names, the notifications outbox

Cases submitted before this revision keep no number (pages show their id); the parties' names are
copied from each case's submission.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 14:20:12.702988
"""
import json

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('case_counters',
    sa.Column('series', sa.String(length=24), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('series', name=op.f('pk_case_counters'))
    )
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('event', sa.String(length=30), nullable=False),
    sa.Column('recipient', sa.String(length=60), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_notifications_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    sa.UniqueConstraint('case_id', 'seq', 'recipient', 'channel', name=op.f('uq_notifications_case_id'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_pending', ['sent_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notifications_recipient'), ['recipient'], unique=False)

    # plain ADD COLUMN and CREATE INDEX: on SQLite a batch would copy and drop `cases`, which the
    # foreign keys of the case tables forbid
    op.add_column('case_parties', sa.Column('name', sa.String(length=40), nullable=True))
    op.create_index(op.f('ix_case_parties_name'), 'case_parties', ['name'], unique=False)
    op.add_column('cases', sa.Column('number', sa.String(length=32), nullable=True))
    op.create_index(op.f('ix_cases_number'), 'cases', ['number'], unique=True)
    _copy_names()


def _copy_names() -> None:
    conn = op.get_bind()
    parties = sa.table("case_parties", sa.column("case_id"), sa.column("party"), sa.column("name"))
    for case_id, data in conn.execute(sa.text("SELECT case_id, data FROM case_actions WHERE seq = 1")).all():
        data = json.loads(data) if isinstance(data, str) else (data or {})
        named = [("applicant", data.get("applicant") or {})]
        named += [(f.get("key") or f"f{i}", f) for i, f in enumerate(data.get("followers") or [], 1) if isinstance(f, dict)]
        for party, who in named:
            if isinstance(who, dict) and who.get("name"):
                conn.execute(parties.update().where(parties.c.case_id == case_id, parties.c.party == party)
                             .values(name=str(who["name"])[:40]))



def downgrade() -> None:
    op.drop_index(op.f('ix_cases_number'), table_name='cases')
    op.drop_column('cases', 'number')
    op.drop_index(op.f('ix_case_parties_name'), table_name='case_parties')
    op.drop_column('case_parties', 'name')

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notifications_recipient'))
        batch_op.drop_index('ix_notifications_pending')

    op.drop_table('notifications')
    op.drop_table('case_counters')
