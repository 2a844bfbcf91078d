"""hukou.seq: a person's registrations numbered in the order written

Revision ID: 0004
Revises: 0003
Create Date: 2027-01-12 10:00:00

Registrations already in the register are numbered by (since, id) per person: the order in which
they were written, as far as the register can tell.
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('hukou', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.Integer(), nullable=True))
    # (UPDATE … FROM: PostgreSQL, and SQLite from 3.33)
    op.execute("UPDATE hukou SET seq = numbered.n FROM ("
               "SELECT id, row_number() OVER (PARTITION BY person_id ORDER BY since, id) AS n FROM hukou"
               ") AS numbered WHERE numbered.id = hukou.id")
    with op.batch_alter_table('hukou', schema=None) as batch_op:
        batch_op.alter_column('seq', existing_type=sa.Integer(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('hukou', schema=None) as batch_op:
        batch_op.drop_column('seq')
