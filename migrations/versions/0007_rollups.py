"""monthly and daily roll-ups of visits and sign-ups for the national dashboards, filled from the visits and
tallies already recorded; an index for villages visited, and the tallies' campaign index extended by date

Revision ID: 0007_rollups
Revises: 0006_signup_tallies
Create Date: 2026-12-05 23:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_rollups'
down_revision = '0006_signup_tallies'
branch_labels = None
depends_on = None

# The tallies' count columns of this revision, frozen here: a later code change must not change what it did.
_OCCUPATIONS = ("farmer", "fisher", "trader", "ojek_driver", "day_labourer", "livestock_keeper", "craftsperson",
                "other")
_PAYERS = ("self", "employer", "subsidy")
_COUNTS = ["signups", "activated", "women",
           *(f"occupation_{o}{suffix}" for o in _OCCUPATIONS for suffix in ("", "_activated")),
           *(f"payer_{p}{suffix}" for p in _PAYERS for suffix in ("", "_activated"))]


def _counts():
    return [sa.Column(name, sa.Integer(), server_default='0', nullable=False) for name in _COUNTS]


def upgrade():
    op.create_table('monthly_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('regency_code', sa.String(length=5), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('visit_done', sa.Boolean(), nullable=False),
    sa.Column('programme_key', sa.Integer(), nullable=False),
    sa.Column('visits', sa.Integer(), server_default='0', nullable=False),
    sa.Column('attendance_women', sa.Integer(), server_default='0', nullable=False),
    sa.Column('attendance_men', sa.Integer(), server_default='0', nullable=False),
    sa.Column('cost', sa.BigInteger(), server_default='0', nullable=False),
    *_counts(),
    sa.ForeignKeyConstraint(['branch_id'], ['branches.id'], name=op.f('fk_monthly_results_branch_id_branches')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_monthly_results_campaign_id_campaigns')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monthly_results'))
    )
    with op.batch_alter_table('monthly_results', schema=None) as batch_op:
        batch_op.create_index('ix_monthly_results_branch_month', ['branch_id', 'month'], unique=False)
        batch_op.create_index('uq_monthly_results_key', ['campaign_id', 'month', 'regency_code', 'visit_done',
                                                         'programme_key', 'branch_id'], unique=True)

    op.create_table('daily_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('visits_done', sa.Integer(), server_default='0', nullable=False),
    sa.Column('attendance', sa.Integer(), server_default='0', nullable=False),
    sa.Column('officer_days', sa.Integer(), server_default='0', nullable=False),
    sa.Column('signups', sa.Integer(), server_default='0', nullable=False),
    sa.Column('activated', sa.Integer(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['branch_id'], ['branches.id'], name=op.f('fk_daily_results_branch_id_branches')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_daily_results'))
    )
    with op.batch_alter_table('daily_results', schema=None) as batch_op:
        batch_op.create_index('uq_daily_results_key', ['branch_id', 'day'], unique=True)

    with op.batch_alter_table('signup_tallies', schema=None) as batch_op:
        batch_op.drop_index('ix_signup_tallies_campaign')
        batch_op.create_index('ix_signup_tallies_campaign_date', ['campaign_id', 'visit_date'], unique=False)

    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.create_index('ix_visits_done_village', ['village_code'], unique=False,
                              postgresql_where=sa.text("status = 'done'"), sqlite_where=sa.text("status = 'done'"))

    month = ("CAST(date_trunc('month', {}) AS DATE)" if op.get_bind().dialect.name == "postgresql"
             else "date({}, 'start of month')")
    op.execute(_fill_monthly(month))
    op.execute(_FILL_DAILY)


def _fill_monthly(month: str) -> str:
    sums = ["visits", "attendance_women", "attendance_men", "cost", *_COUNTS]
    return f"""
INSERT INTO monthly_results (branch_id, campaign_id, regency_code, month, visit_done, programme_key, {", ".join(sums)})
SELECT branch_id, campaign_id, regency_code, month, visit_done, programme_key,
       {", ".join(f"sum({name})" for name in sums)}
FROM (
    SELECT v.branch_id, v.campaign_id, substr(v.village_code, 1, 5) AS regency_code,
           {month.format("v.visit_date")} AS month, v.status = 'done' AS visit_done, 0 AS programme_key,
           1 AS visits, coalesce(v.attendance_women, 0) AS attendance_women,
           coalesce(v.attendance_men, 0) AS attendance_men, v.planned_cost AS cost,
           {", ".join(f"0 AS {name}" for name in _COUNTS)}
    FROM visits AS v WHERE v.status != 'cancelled'
    UNION ALL
    SELECT t.branch_id, t.campaign_id, substr(t.village_code, 1, 5), {month.format("t.visit_date")}, t.visit_done,
           t.programme_key, 0, 0, 0, 0, {", ".join(f"t.{name}" for name in _COUNTS)}
    FROM signup_tallies AS t
) AS facts
GROUP BY branch_id, campaign_id, regency_code, month, visit_done, programme_key
"""


_FILL_DAILY = """
INSERT INTO daily_results (branch_id, day, visits_done, attendance, officer_days, signups, activated)
SELECT branch_id, day, sum(visits_done), sum(attendance), sum(officer_days), sum(signups), sum(activated)
FROM (
    SELECT v.branch_id, v.visit_date AS day, count(*) AS visits_done,
           sum(coalesce(v.attendance_women, 0) + coalesce(v.attendance_men, 0)) AS attendance,
           0 AS officer_days, 0 AS signups, 0 AS activated
    FROM visits AS v WHERE v.status = 'done' GROUP BY v.branch_id, v.visit_date
    UNION ALL
    SELECT v.branch_id, v.visit_date, 0, 0, count(DISTINCT o.officer_id), 0, 0
    FROM visit_officers AS o JOIN visits AS v ON v.id = o.visit_id
    WHERE v.status = 'done' GROUP BY v.branch_id, v.visit_date
    UNION ALL
    SELECT t.branch_id, t.visit_date, 0, 0, 0, sum(t.signups), sum(t.activated)
    FROM signup_tallies AS t GROUP BY t.branch_id, t.visit_date
) AS facts
GROUP BY branch_id, day
"""


def downgrade():
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.drop_index('ix_visits_done_village', postgresql_where=sa.text("status = 'done'"),
                            sqlite_where=sa.text("status = 'done'"))

    with op.batch_alter_table('signup_tallies', schema=None) as batch_op:
        batch_op.drop_index('ix_signup_tallies_campaign_date')
        batch_op.create_index('ix_signup_tallies_campaign', ['campaign_id'], unique=False)

    with op.batch_alter_table('daily_results', schema=None) as batch_op:
        batch_op.drop_index('uq_daily_results_key')
    op.drop_table('daily_results')

    with op.batch_alter_table('monthly_results', schema=None) as batch_op:
        batch_op.drop_index('uq_monthly_results_key')
        batch_op.drop_index('ix_monthly_results_branch_month')
    op.drop_table('monthly_results')
