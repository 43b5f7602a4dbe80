"""payment status per sign-up from the membership system's monthly files (payment_histories), and the lapse rule
(lapse_rules), dated like the rate tables, stored with the agency's rule: more than 3 unpaid months ends membership

Revision ID: 0017_payment_status
Revises: 0016_sync
Create Date: 2026-12-07 05:00:00.000000

"""
import datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017_payment_status'
down_revision = '0016_sync'
branch_labels = None
depends_on = None

# The first rule is dated like the first rate table: PP 82/2019, in force from 2 December 2019.
LEGAL_BASIS = datetime.date(2019, 12, 2)


def upgrade():
    op.create_table('payment_histories',
    sa.Column('signup_id', sa.Integer(), nullable=False),
    sa.Column('signup_month', sa.Integer(), nullable=False),
    sa.Column('paid_months', sa.BigInteger(), nullable=False),
    sa.Column('paid_through', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('paid_months >= 0', name=op.f('ck_payment_histories_paid_months')),
    sa.ForeignKeyConstraint(['signup_id'], ['signups.id'], name=op.f('fk_payment_histories_signup_id_signups'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('signup_id', name=op.f('pk_payment_histories'))
    )
    with op.batch_alter_table('payment_histories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_histories_signup_month'), ['signup_month'], unique=False)
    lapse_rules = op.create_table('lapse_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('arrears_months', sa.SmallInteger(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('arrears_months >= 0 AND arrears_months <= 24', name=op.f('ck_lapse_rules_arrears_months')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_lapse_rules_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lapse_rules')),
    sa.UniqueConstraint('effective_from', name=op.f('uq_lapse_rules_effective_from'))
    )
    op.bulk_insert(lapse_rules, [{'effective_from': LEGAL_BASIS, 'arrears_months': 3,
                                  'created_at': datetime.datetime(2026, 12, 7, tzinfo=datetime.timezone.utc)}])


def downgrade():
    op.drop_table('lapse_rules')
    with op.batch_alter_table('payment_histories', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_histories_signup_month'))
    op.drop_table('payment_histories')
