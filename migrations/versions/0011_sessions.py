"""sessions kept on the server (user_sessions), so that signing out, an administrator or a password change can end
them; the users' session_token counter they replace is dropped; failed sign-ins (sign_in_failures), the sign-in
limits' store when no Redis is configured

Every session of the old kind (a cookie naming the user and the counter) stops working: each user signs in once
more after the upgrade. No row is lost; there is nothing of the old sessions to carry over.

Revision ID: 0011_sessions
Revises: 0010_nik_privacy
Create Date: 2026-12-07 00:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_sessions'
down_revision = '0010_nik_privacy'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('user_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_digest', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_reason', sa.String(length=16), nullable=True),
    sa.Column('device', sa.String(length=60), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
    sa.UniqueConstraint('token_digest', name=op.f('uq_user_sessions_token_digest'))
    )
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_sessions_user_id'), ['user_id'], unique=False)
    op.create_table('sign_in_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('failed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_failures'))
    )
    with op.batch_alter_table('sign_in_failures', schema=None) as batch_op:
        batch_op.create_index('ix_sign_in_failures_key_failed_at', ['key', 'failed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_sign_in_failures_failed_at'), ['failed_at'], unique=False)
    _without_foreign_key_checks(_drop_session_token)


def _drop_session_token():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_token')


def _without_foreign_key_checks(change):
    # SQLite drops a column by copying the table: dropping the old users table would fail the checks of every table
    # that refers to it, though the copy keeps every id. PostgreSQL drops the column in place.
    sqlite = op.get_bind().dialect.name == 'sqlite'
    if sqlite:
        op.execute('PRAGMA foreign_keys=OFF')
    try:
        change()
    finally:
        if sqlite:
            op.execute('PRAGMA foreign_keys=ON')


def _add_session_token():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_token', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    _without_foreign_key_checks(_add_session_token)
    with op.batch_alter_table('sign_in_failures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_failures_failed_at'))
        batch_op.drop_index('ix_sign_in_failures_key_failed_at')
    op.drop_table('sign_in_failures')
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_sessions_user_id'))
    op.drop_table('user_sessions')
