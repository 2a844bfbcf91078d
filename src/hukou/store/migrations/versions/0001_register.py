"""register: people, hukou history, facts, households, divisions, three rights

Revision ID: 0001
Revises: 
Create Date: 2026-11-27 08:50:17.628428
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('divisions',
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('parent_code', sa.String(length=12), nullable=True),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('urban_class', sa.String(length=3), nullable=True),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_divisions'))
    )
    op.create_table('people',
    sa.Column('person_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('sex', sa.String(length=1), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('residence_known', sa.Boolean(), nullable=False),
    sa.Column('housing_known', sa.Boolean(), nullable=False),
    sa.Column('employment_known', sa.Boolean(), nullable=False),
    sa.Column('social_insurance_known', sa.Boolean(), nullable=False),
    sa.Column('education_known', sa.Boolean(), nullable=False),
    sa.Column('qualifications_known', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('person_id', name=op.f('pk_people')),
    sa.UniqueConstraint('id_number', name=op.f('uq_people_id_number'))
    )
    op.create_table('education',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.BigInteger(), nullable=False),
    sa.Column('level', sa.String(length=12), nullable=False),
    sa.Column('admitted', sa.Date(), nullable=False),
    sa.Column('graduated', sa.Date(), nullable=True),
    sa.Column('institution_in_city', sa.Boolean(), nullable=False),
    sa.Column('abroad', sa.Boolean(), nullable=False),
    sa.Column('certified', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.person_id'], name=op.f('fk_education_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_education'))
    )
    with op.batch_alter_table('education', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_education_person_id'), ['person_id'], unique=False)

    op.create_table('employment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.BigInteger(), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('end', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.person_id'], name=op.f('fk_employment_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employment'))
    )
    with op.batch_alter_table('employment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_employment_person_id'), ['person_id'], unique=False)

    op.create_table('family',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.BigInteger(), nullable=False),
    sa.Column('relation', sa.String(length=8), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('moving', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.person_id'], name=op.f('fk_family_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_family'))
    )
    with op.batch_alter_table('family', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_family_person_id'), ['person_id'], unique=False)

    op.create_table('households',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('place', sa.String(length=12), nullable=False),
    sa.Column('head_person_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['head_person_id'], ['people.person_id'], name=op.f('fk_households_head_person_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_households'))
    )
    op.create_table('housing',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('registered', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.person_id'], name=op.f('fk_housing_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_housing'))
    )
    with op.batch_alter_table('housing', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_housing_person_id'), ['person_id'], unique=False)

    op.create_table('military',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.BigInteger(), nullable=False),
    sa.Column('enlisted', sa.Date(), nullable=True),
    sa.Column('discharged', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.person_id'], name=op.f('fk_military_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_military'))
    )
    with op.batch_alter_table('military', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_military_person_id'), ['person_id'], unique=False)

    op.create_table('qualifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('obtained', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.person_id'], name=op.f('fk_qualifications_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qualifications'))
    )
    with op.batch_alter_table('qualifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qualifications_person_id'), ['person_id'], unique=False)

    op.create_table('residence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.BigInteger(), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('end', sa.Date(), nullable=True),
    sa.Column('place', sa.String(length=12), nullable=False),
    sa.Column('urban', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.person_id'], name=op.f('fk_residence_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_residence'))
    )
    with op.batch_alter_table('residence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_residence_person_id'), ['person_id'], unique=False)

    op.create_table('social_insurance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.BigInteger(), nullable=False),
    sa.Column('start_month', sa.Integer(), nullable=False),
    sa.Column('end_month', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.person_id'], name=op.f('fk_social_insurance_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_social_insurance'))
    )
    with op.batch_alter_table('social_insurance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_social_insurance_person_id'), ['person_id'], unique=False)

    op.create_table('three_rights',
    sa.Column('person_id', sa.BigInteger(), nullable=False),
    sa.Column('contracted_land', sa.Boolean(), nullable=False),
    sa.Column('homestead', sa.Boolean(), nullable=False),
    sa.Column('collective_income', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.person_id'], name=op.f('fk_three_rights_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person_id', name=op.f('pk_three_rights'))
    )
    op.create_table('household_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.BigInteger(), nullable=False),
    sa.Column('relation', sa.String(length=10), nullable=False),
    sa.Column('since', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_household_members_household_id_households'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.person_id'], name=op.f('fk_household_members_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_household_members'))
    )
    with op.batch_alter_table('household_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_household_members_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_household_members_person_id'), ['person_id'], unique=False)

    op.create_table('hukou',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.BigInteger(), nullable=False),
    sa.Column('since', sa.Date(), nullable=False),
    sa.Column('place', sa.String(length=12), nullable=False),
    sa.Column('urban', sa.Boolean(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_hukou_household_id_households')),
    sa.ForeignKeyConstraint(['person_id'], ['people.person_id'], name=op.f('fk_hukou_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hukou'))
    )
    with op.batch_alter_table('hukou', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hukou_person_id'), ['person_id'], unique=False)
        batch_op.create_index('ix_hukou_person_since', ['person_id', 'since'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('hukou', schema=None) as batch_op:
        batch_op.drop_index('ix_hukou_person_since')
        batch_op.drop_index(batch_op.f('ix_hukou_person_id'))

    op.drop_table('hukou')
    with op.batch_alter_table('household_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_household_members_person_id'))
        batch_op.drop_index(batch_op.f('ix_household_members_household_id'))

    op.drop_table('household_members')
    op.drop_table('three_rights')
    with op.batch_alter_table('social_insurance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_social_insurance_person_id'))

    op.drop_table('social_insurance')
    with op.batch_alter_table('residence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_residence_person_id'))

    op.drop_table('residence')
    with op.batch_alter_table('qualifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qualifications_person_id'))

    op.drop_table('qualifications')
    with op.batch_alter_table('military', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_military_person_id'))

    op.drop_table('military')
    with op.batch_alter_table('housing', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_housing_person_id'))

    op.drop_table('housing')
    op.drop_table('households')
    with op.batch_alter_table('family', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_family_person_id'))

    op.drop_table('family')
    with op.batch_alter_table('employment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_employment_person_id'))

    op.drop_table('employment')
    with op.batch_alter_table('education', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_education_person_id'))

    op.drop_table('education')
    op.drop_table('people')
    op.drop_table('divisions')
