"""payment status files applied outside the upload's request: the import jobs (payment_imports), each with its
stored file, its progress and its report; one runs at a time (a unique running_slot)

Revision ID: 0022_payment_imports
Revises: 0021_sync_record_nik
Create Date: 2026-12-07 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022_payment_imports'
down_revision = '0021_sync_record_nik'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('payment_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('upload_key', sa.String(length=64), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('file_name', sa.String(length=200), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('running_slot', sa.SmallInteger(), nullable=True),
    sa.Column('phase', sa.String(length=10), nullable=True),
    sa.Column('attempts', sa.SmallInteger(), nullable=False),
    sa.Column('bytes_read', sa.BigInteger(), nullable=False),
    sa.Column('rows_read', sa.Integer(), nullable=False),
    sa.Column('matched', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('not_paid', sa.Integer(), nullable=False),
    sa.Column('unknown_count', sa.Integer(), nullable=False),
    sa.Column('invalid_count', sa.Integer(), nullable=False),
    sa.Column('listed', sa.JSON(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("state IN ('pending', 'running', 'done', 'failed')", name=op.f('ck_payment_imports_state')),
    sa.CheckConstraint('running_slot = 1', name=op.f('ck_payment_imports_running_slot')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_payment_imports_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_imports')),
    sa.UniqueConstraint('running_slot', name=op.f('uq_payment_imports_running_slot')),
    sa.UniqueConstraint('upload_key', name=op.f('uq_payment_imports_upload_key'))
    )
    with op.batch_alter_table('payment_imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_imports_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_imports_digest'), ['digest'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_imports_state'), ['state'], unique=False)


def downgrade():
    with op.batch_alter_table('payment_imports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_imports_state'))
        batch_op.drop_index(batch_op.f('ix_payment_imports_digest'))
        batch_op.drop_index(batch_op.f('ix_payment_imports_created_by_id'))
    op.drop_table('payment_imports')
