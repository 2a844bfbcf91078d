"""case parties; users bound to a person, city-wide grants; audit subjects of any length

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('case_parties',
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('party', sa.String(length=9), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('relation', sa.String(length=10), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=False),
    sa.Column('person_id', sa.BigInteger(), nullable=True),
    sa.Column('moved_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_parties_case_id_cases')),
    sa.PrimaryKeyConstraint('case_id', 'party', name=op.f('pk_case_parties'))
    )
    with op.batch_alter_table('case_parties', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_parties_id_number'), ['id_number'], unique=False)
    with op.batch_alter_table('cases', schema=None) as batch_op:  # cases are found through their parties now
        batch_op.drop_index('ix_cases_person_id')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('city_wide', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('id_number', sa.String(length=18), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_users_id_number'), ['id_number'])
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.alter_column('subject', existing_type=sa.String(length=80), type_=sa.Text(), existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.alter_column('subject', existing_type=sa.Text(), type_=sa.String(length=80), existing_nullable=False)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_users_id_number'), type_='unique')
        batch_op.drop_column('id_number')
        batch_op.drop_column('city_wide')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_person_id', ['person_id'], unique=False)
    with op.batch_alter_table('case_parties', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_parties_id_number'))
    op.drop_table('case_parties')
