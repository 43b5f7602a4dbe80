"""phones that capture offline: their revocable credentials (devices) and the records they sync (sync_records)

Revision ID: 0015_sync
Revises: 0014_consent_versions
Create Date: 2026-12-07 04:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_sync'
down_revision = '0014_consent_versions'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('devices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.Column('token_digest', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('user_agent', sa.String(length=60), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['officer_id'], ['users.id'], name=op.f('fk_devices_officer_id_users')),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_devices_revoked_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_devices')),
    sa.UniqueConstraint('token_digest', name=op.f('uq_devices_token_digest'))
    )
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_devices_officer_id'), ['officer_id'], unique=False)
    op.create_table('sync_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('captured_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('payload_ciphertext', sa.LargeBinary(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('reason_code', sa.String(length=20), nullable=True),
    sa.Column('signup_id', sa.Integer(), nullable=True),
    sa.Column('imported_by_id', sa.Integer(), nullable=True),
    sa.Column('resolution', sa.String(length=10), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.Column('resolution_note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['branch_id'], ['branches.id'], name=op.f('fk_sync_records_branch_id_branches')),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_sync_records_device_id_devices')),
    sa.ForeignKeyConstraint(['imported_by_id'], ['users.id'], name=op.f('fk_sync_records_imported_by_id_users')),
    sa.ForeignKeyConstraint(['officer_id'], ['users.id'], name=op.f('fk_sync_records_officer_id_users')),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['users.id'], name=op.f('fk_sync_records_resolved_by_id_users')),
    sa.ForeignKeyConstraint(['signup_id'], ['signups.id'], name=op.f('fk_sync_records_signup_id_signups')),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_sync_records_visit_id_visits')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_records')),
    sa.UniqueConstraint('key', name=op.f('uq_sync_records_key'))
    )
    with op.batch_alter_table('sync_records', schema=None) as batch_op:
        batch_op.create_index('ix_sync_records_device_status', ['device_id', 'status', 'resolution'], unique=False)
        batch_op.create_index(batch_op.f('ix_sync_records_officer_id'), ['officer_id'], unique=False)
        batch_op.create_index('ix_sync_records_review', ['status', 'resolution', 'branch_id'], unique=False)
        batch_op.create_index('ix_sync_records_visit_kind', ['visit_id', 'kind', 'captured_at'], unique=False)


def downgrade():
    with op.batch_alter_table('sync_records', schema=None) as batch_op:
        batch_op.drop_index('ix_sync_records_visit_kind')
        batch_op.drop_index('ix_sync_records_review')
        batch_op.drop_index(batch_op.f('ix_sync_records_officer_id'))
        batch_op.drop_index('ix_sync_records_device_status')
    op.drop_table('sync_records')
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_devices_officer_id'))
    op.drop_table('devices')
