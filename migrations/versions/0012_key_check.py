"""the check value of the DATA_KEY that encrypts the NIKs, so that an app started with another key refuses to start;
recorded by the first start after this migration (which first checks the key against a NIK already stored)

Revision ID: 0012_key_check
Revises: 0011_sessions
Create Date: 2026-12-07 00:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_key_check'
down_revision = '0011_sessions'
branch_labels = None
depends_on = None


def upgrade():
    # No row here: the value is the running key's, recorded at start-up where a wrong key can still be refused.
    op.create_table('data_key_check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('value', sa.String(length=64), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_key_check'))
    )


def downgrade():
    op.drop_table('data_key_check')
