"""department tasks (§十–§十五): the hand-off of a registration or an issued permit; users' department

Only new tables, columns and indexes: on SQLite a batch would copy and drop tables that foreign keys
point at.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 18:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('department_tasks',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('action_seq', sa.Integer(), nullable=False),
    sa.Column('task_type', sa.String(length=40), nullable=False),
    sa.Column('party', sa.String(length=9), nullable=False),
    sa.Column('department', sa.String(length=20), nullable=False),
    sa.Column('clause', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=10), server_default='open', nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('due', sa.Date(), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('closed_by', sa.String(length=60), nullable=True),
    sa.Column('reference', sa.String(length=60), nullable=True),
    sa.Column('document_sha256', sa.String(length=64), nullable=True),
    sa.Column('refusal', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_department_tasks_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_department_tasks')),
    sa.UniqueConstraint('case_id', 'action_seq', 'task_type', 'party', name=op.f('uq_department_tasks_case_id'))
    )
    op.create_index(op.f('ix_department_tasks_case_id'), 'department_tasks', ['case_id'], unique=False)
    op.create_index('ix_department_tasks_inbox', 'department_tasks', ['department', 'status', 'due'], unique=False)
    op.add_column('users', sa.Column('department', sa.String(length=20), nullable=True))


def downgrade() -> None:
    op.drop_column('users', 'department')
    op.drop_index('ix_department_tasks_inbox', table_name='department_tasks')
    op.drop_index(op.f('ix_department_tasks_case_id'), table_name='department_tasks')
    op.drop_table('department_tasks')
