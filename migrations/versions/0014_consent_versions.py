"""each sign-up records the version of the consent text it was shown; those stored before were shown version 1

Revision ID: 0014_consent_versions
Revises: 0013_audit_input
Create Date: 2026-12-07 02:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_consent_versions'
down_revision = '0013_audit_input'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN (no batch copy, which the sign-ups' foreign keys refuse on SQLite): the default fills the
    # existing rows with version 1, the only text any of them was shown.
    op.add_column('signups', sa.Column('consent_version', sa.SmallInteger(), server_default='1', nullable=False))


def downgrade():
    op.drop_column('signups', 'consent_version')
