"""the retention roll-up (retention_tallies per visit × officer × payer × cohort, retention_results per campaign ×
branch × regency × month × payer × cohort), the reactivations detected at import, and the months payment files
reported. Tables start empty: `flask summaries rebuild` counts histories imported before this revision.

Revision ID: 0018_retention
Revises: 0017_payment_status
Create Date: 2026-12-07 06:18:12.663363

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018_retention'
down_revision = '0017_payment_status'
branch_labels = None
depends_on = None

COUNTS = ('signups', *(f'paid_at_{k}' for k in range(25)), 'contribution_months', 'reactivations')


def _counts():
    return [sa.Column(name, sa.Integer(), server_default='0', nullable=False) for name in COUNTS]


def upgrade():
    op.create_table('reported_payment_months',
    sa.Column('month', sa.Integer(), autoincrement=False, nullable=False),
    sa.PrimaryKeyConstraint('month', name=op.f('pk_reported_payment_months'))
    )
    op.create_table('retention_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('regency_code', sa.String(length=5), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('payer', sa.String(length=16), nullable=False),
    sa.Column('signup_month', sa.Integer(), nullable=False),
    *_counts(),
    sa.ForeignKeyConstraint(['branch_id'], ['branches.id'], name=op.f('fk_retention_results_branch_id_branches')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_retention_results_campaign_id_campaigns')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_retention_results'))
    )
    with op.batch_alter_table('retention_results', schema=None) as batch_op:
        batch_op.create_index('ix_retention_results_branch_month', ['branch_id', 'month'], unique=False)
        batch_op.create_index('uq_retention_results_key', ['campaign_id', 'month', 'regency_code', 'branch_id', 'payer',
                                                           'signup_month'], unique=True)

    op.create_table('retention_tallies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('officer_key', sa.Integer(), nullable=False),
    sa.Column('payer', sa.String(length=16), nullable=False),
    sa.Column('signup_month', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('village_code', sa.String(length=13), nullable=False),
    sa.Column('visit_date', sa.Date(), nullable=False),
    *_counts(),
    sa.ForeignKeyConstraint(['branch_id'], ['branches.id'], name=op.f('fk_retention_tallies_branch_id_branches')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_retention_tallies_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['village_code'], ['villages.code'], name=op.f('fk_retention_tallies_village_code_villages')),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_retention_tallies_visit_id_visits')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_retention_tallies'))
    )
    with op.batch_alter_table('retention_tallies', schema=None) as batch_op:
        batch_op.create_index('ix_retention_tallies_campaign_date', ['campaign_id', 'visit_date'], unique=False)
        batch_op.create_index('ix_retention_tallies_officer', ['officer_key'], unique=False)
        batch_op.create_index('ix_retention_tallies_village', ['village_code'], unique=False)
        batch_op.create_index('uq_retention_tallies_key', ['visit_id', 'officer_key', 'payer', 'signup_month'],
                              unique=True)

    op.create_table('reactivations',
    sa.Column('signup_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['signup_id'], ['signups.id'], name=op.f('fk_reactivations_signup_id_signups'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_reactivations_visit_id_visits'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('signup_id', 'month', name=op.f('pk_reactivations'))
    )
    with op.batch_alter_table('reactivations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reactivations_visit_id'), ['visit_id'], unique=False)


def downgrade():
    with op.batch_alter_table('reactivations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reactivations_visit_id'))
    op.drop_table('reactivations')
    with op.batch_alter_table('retention_tallies', schema=None) as batch_op:
        batch_op.drop_index('uq_retention_tallies_key')
        batch_op.drop_index('ix_retention_tallies_village')
        batch_op.drop_index('ix_retention_tallies_officer')
        batch_op.drop_index('ix_retention_tallies_campaign_date')
    op.drop_table('retention_tallies')
    with op.batch_alter_table('retention_results', schema=None) as batch_op:
        batch_op.drop_index('uq_retention_results_key')
        batch_op.drop_index('ix_retention_results_branch_month')
    op.drop_table('retention_results')
    op.drop_table('reported_payment_months')
