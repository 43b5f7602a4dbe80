"""the enrolment age range kept with each rate table (15 to under 65 on the tables already stored); each audit
entry names its record as it was then

Revision ID: 0013_audit_input
Revises: 0012_key_check
Create Date: 2026-12-07 01:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_audit_input'
down_revision = '0012_key_check'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN (no batch copy): SQLite adds a column in place, and a copy of rate_tables would be refused by
    # the sign-ups' foreign keys. Existing tables get the agency's BPU range, from working age (15) to under 65.
    op.add_column('rate_tables', sa.Column('enrolment_min_age', sa.Integer(), server_default='15', nullable=False))
    op.add_column('rate_tables', sa.Column('enrolment_age_limit', sa.Integer(), server_default='65', nullable=False))
    op.add_column('audit_entries', sa.Column('subject_name', sa.String(length=200), nullable=True))


def downgrade():
    op.drop_column('audit_entries', 'subject_name')
    op.drop_column('rate_tables', 'enrolment_age_limit')
    op.drop_column('rate_tables', 'enrolment_min_age')
