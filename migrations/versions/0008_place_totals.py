"""all-time totals of each branch's villages and officers, for breakdowns by district, village or officer across
many branches, filled from the visits and tallies already recorded

Revision ID: 0008_place_totals
Revises: 0007_rollups
Create Date: 2026-12-06 03:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_place_totals'
down_revision = '0007_rollups'
branch_labels = None
depends_on = None

# The totals of this revision, frozen here: a later code change must not change what it did.
_SUMS = ("visits", "visits_done", "attendance", "cost", "signups", "signups_at_done_visits", "activated")
_TABLES = (("village_results", "village_code", sa.String(length=13), "villages.code"),
           ("officer_results", "officer_id", sa.Integer(), "users.id"))


def upgrade():
    for table, key, key_type, target in _TABLES:
        op.create_table(table,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('branch_id', sa.Integer(), nullable=True),
        sa.Column(key, key_type, nullable=False),
        *(sa.Column(name, sa.BigInteger() if name == "cost" else sa.Integer(), server_default='0', nullable=False)
          for name in _SUMS),
        sa.ForeignKeyConstraint(['branch_id'], ['branches.id'], name=op.f(f'fk_{table}_branch_id_branches')),
        sa.ForeignKeyConstraint([key], [target], name=op.f(f'fk_{table}_{key}_{target.split(".")[0]}')),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}'))
        )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(f'uq_{table}_key', [key, 'branch_id'], unique=True)
            batch_op.create_index(f'ix_{table}_branch', ['branch_id'], unique=False)
    op.execute(_fill("village_results", "village_code", "v.village_code", "t.village_code", ""))
    op.execute(_fill("officer_results", "officer_id", "o.officer_id", "t.officer_id",
                     "JOIN visit_officers AS o ON o.visit_id = v.id"))
    # Each place's row of every branch (branch_id NULL), summed from its branch rows.
    for table, key, _type, _target in _TABLES:
        op.execute(f"INSERT INTO {table} (branch_id, {key}, {', '.join(_SUMS)}) "
                   f"SELECT NULL, {key}, {', '.join(f'sum({name})' for name in _SUMS)} FROM {table} "
                   f"WHERE branch_id IS NOT NULL GROUP BY {key}")


def _fill(table: str, key: str, visit_key: str, tally_key: str, join: str) -> str:
    return f"""
INSERT INTO {table} (branch_id, {key}, {", ".join(_SUMS)})
SELECT branch_id, place, {", ".join(f"sum({name})" for name in _SUMS)}
FROM (
    SELECT v.branch_id, {visit_key} AS place, count(*) AS visits,
           count(CASE WHEN v.status = 'done' THEN 1 END) AS visits_done,
           coalesce(sum(CASE WHEN v.status = 'done'
                        THEN coalesce(v.attendance_women, 0) + coalesce(v.attendance_men, 0) END), 0) AS attendance,
           coalesce(sum(CASE WHEN v.status = 'done' THEN v.planned_cost END), 0) AS cost,
           0 AS signups, 0 AS signups_at_done_visits, 0 AS activated
    FROM visits AS v {join} WHERE v.status != 'cancelled' GROUP BY v.branch_id, {visit_key}
    UNION ALL
    SELECT t.branch_id, {tally_key}, 0, 0, 0, 0, sum(t.signups),
           sum(CASE WHEN t.visit_done THEN t.signups ELSE 0 END), sum(t.activated)
    FROM signup_tallies AS t GROUP BY t.branch_id, {tally_key}
) AS facts
GROUP BY branch_id, place
"""


def downgrade():
    for table, key, _type, _target in reversed(_TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f'ix_{table}_branch')
            batch_op.drop_index(f'uq_{table}_key')
        op.drop_table(table)
