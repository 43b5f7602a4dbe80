"""the blind index of the NIK a phone's sign-up waiting for review holds (sync_records.nik_index), so that a
data-subject request finds it; discarded records keep nothing of the worker from now on; and the sign-in that
issued a device credential (devices.session_id), ended when the device is revoked

Revision ID: 0021_sync_record_nik
Revises: 0018_retention
Create Date: 2026-12-07 07:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021_sync_record_nik'
down_revision = '0018_retention'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sync_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('nik_index', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_sync_records_nik_index'), ['nik_index'], unique=False)
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_devices_session_id_user_sessions'), 'user_sessions',
                                    ['session_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_devices_session_id_user_sessions'), type_='foreignkey')
        batch_op.drop_column('session_id')
    with op.batch_alter_table('sync_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sync_records_nik_index'))
        batch_op.drop_column('nik_index')
