"""sign-ups keep the NIK's district and birth date only as a keyed index (for the near-duplicate rule) and the
birth year: in clear, with the sex and the last four digits, they were every digit of the NIK; existing rows are
converted

Revision ID: 0010_nik_privacy
Revises: 0009_programme_totals
Create Date: 2026-12-07 01:00:00.000000

The index is an HMAC under a key derived from the app's DATA_KEY, so this revision needs the app's configuration:
it runs inside the app, as ``flask db upgrade`` (Flask-Migrate) does, with the DATA_KEY the app encrypts NIKs with.
Offline (``--sql``) it cannot run: the SQL would have to hold the key. The key's derivation is frozen here, with the
same label as campaign_app/signups/personal_data.py: a later code change must not change what this revision did.
The downgrade decrypts each NIK to write its district and birth date back.
"""
import base64
import datetime
import hashlib
import hmac

from alembic import context, op
import sqlalchemy as sa
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


# revision identifiers, used by Alembic.
revision = '0010_nik_privacy'
down_revision = '0009_programme_totals'
branch_labels = None
depends_on = None

BATCH = 5_000
signups = sa.table('signups', sa.column('id', sa.Integer), sa.column('district_code', sa.String),
                   sa.column('birth_date', sa.Date), sa.column('birth_index', sa.String),
                   sa.column('birth_year', sa.SmallInteger), sa.column('nik_ciphertext', sa.LargeBinary))


def _derive(label: bytes) -> bytes:
    if context.is_offline_mode():
        raise RuntimeError("0010_nik_privacy derives keys from the app's DATA_KEY: run it online (flask db upgrade)")
    from flask import current_app  # the app's configuration: Flask-Migrate runs migrations inside the app
    secret = current_app.config["DATA_KEY"]
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(secret.encode())


def _batches(connection, *columns):
    """The sign-ups' rows, ``BATCH`` at a time, by id (never the whole table in memory)."""
    last = 0
    while True:
        rows = connection.execute(sa.select(signups.c.id, *columns).where(signups.c.id > last)
                                  .order_by(signups.c.id).limit(BATCH)).all()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _day(value) -> datetime.date:
    # SQLite hands a DATE back as text through a plain table clause on some drivers.
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))


def upgrade():
    with op.batch_alter_table('signups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('birth_index', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('birth_year', sa.SmallInteger(), nullable=True))
    connection = op.get_bind()
    key = None
    for rows in _batches(connection, signups.c.district_code, signups.c.birth_date):
        key = key or _derive(b"jangkau nik birth index")
        values = []
        for id_, district_code, birth_date in rows:
            born = _day(birth_date)
            index = hmac.new(key, f"{district_code}|{born.isoformat()}".encode(), hashlib.sha256).hexdigest()
            values.append({"row": id_, "index": index, "year": born.year})
        connection.execute(signups.update().where(signups.c.id == sa.bindparam("row"))
                           .values(birth_index=sa.bindparam("index"), birth_year=sa.bindparam("year")), values)
    with op.batch_alter_table('signups', schema=None) as batch_op:
        batch_op.drop_index('ix_signups_near_duplicate')
        batch_op.alter_column('birth_index', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('birth_year', existing_type=sa.SmallInteger(), nullable=False)
        batch_op.drop_column('district_code')
        batch_op.drop_column('birth_date')
        batch_op.create_index('ix_signups_near_duplicate', ['birth_index', 'name_key'], unique=False)


def downgrade():
    with op.batch_alter_table('signups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('district_code', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('birth_date', sa.Date(), nullable=True))
    connection = op.get_bind()
    fernet = None
    # The NIK has two digits of the year: the birth year kept beside it says which century.
    for rows in _batches(connection, signups.c.nik_ciphertext, signups.c.birth_year):
        fernet = fernet or Fernet(base64.urlsafe_b64encode(_derive(b"jangkau nik encryption")))
        values = []
        for id_, ciphertext, year in rows:
            nik = fernet.decrypt(bytes(ciphertext)).decode()
            born = datetime.date(year, int(nik[8:10]), int(nik[6:8]) % 40)  # a woman's day is written +40
            values.append({"row": id_, "district": f"{nik[0:2]}.{nik[2:4]}.{nik[4:6]}", "born": born})
        connection.execute(signups.update().where(signups.c.id == sa.bindparam("row"))
                           .values(district_code=sa.bindparam("district"), birth_date=sa.bindparam("born")), values)
    with op.batch_alter_table('signups', schema=None) as batch_op:
        batch_op.drop_index('ix_signups_near_duplicate')
        batch_op.alter_column('district_code', existing_type=sa.String(length=8), nullable=False)
        batch_op.alter_column('birth_date', existing_type=sa.Date(), nullable=False)
        batch_op.drop_column('birth_index')
        batch_op.drop_column('birth_year')
        batch_op.create_index('ix_signups_near_duplicate', ['district_code', 'birth_date', 'name_key'], unique=False)
