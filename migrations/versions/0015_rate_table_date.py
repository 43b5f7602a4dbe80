"""the first rate table is dated from its legal basis, PP 44/2015 as amended by PP 82/2019 (in force 2 December 2019)

Revision ID: 0015_rate_table_date
Revises: 0014_consent_versions
Create Date: 2026-12-07 04:00:00.000000

"""
import datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_rate_table_date'
down_revision = '0014_consent_versions'
branch_labels = None
depends_on = None

PLACEHOLDER = datetime.date(2000, 1, 1)
# PP 82/2019, amending PP 44/2015 on JKK and JKM, in force from the day it was promulgated.
LEGAL_BASIS = datetime.date(2019, 12, 2)

rate_tables = sa.table('rate_tables', sa.column('effective_from', sa.Date), sa.column('created_by_id', sa.Integer))


def upgrade():
    # Only the table 0004 stored (no one created it), and only when no table is dated that day already.
    other = rate_tables.alias('other')
    taken = sa.select(sa.literal(1)).select_from(other).where(other.c.effective_from == LEGAL_BASIS)
    op.execute(rate_tables.update()
               .where(rate_tables.c.effective_from == PLACEHOLDER, rate_tables.c.created_by_id.is_(None),
                      ~sa.exists(taken))
               .values(effective_from=LEGAL_BASIS))


def downgrade():
    op.execute(rate_tables.update()
               .where(rate_tables.c.effective_from == LEGAL_BASIS, rate_tables.c.created_by_id.is_(None))
               .values(effective_from=PLACEHOLDER))
