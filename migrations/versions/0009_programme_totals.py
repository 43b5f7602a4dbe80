"""each subsidy programme's live sign-ups, kept with the tallies, for the sign-up form and the quota checks; filled
from the sign-ups already recorded

Revision ID: 0009_programme_totals
Revises: 0008_place_totals
Create Date: 2026-12-06 22:53:32.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_programme_totals'
down_revision = '0008_place_totals'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('programme_totals',
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('signups', sa.Integer(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['subsidy_programmes.id'],
                            name=op.f('fk_programme_totals_programme_id_subsidy_programmes')),
    sa.PrimaryKeyConstraint('programme_id', name=op.f('pk_programme_totals'))
    )
    # Frozen here: a later code change must not change what this revision did.
    op.execute("INSERT INTO programme_totals (programme_id, signups) "
               "SELECT subsidy_programme_id, count(*) FROM signups "
               "WHERE subsidy_programme_id IS NOT NULL AND status != 'void' GROUP BY subsidy_programme_id")


def downgrade():
    op.drop_table('programme_totals')
