"""Backups that restore: ``flask backup PATH`` and ``flask restore PATH`` (``commands``), done by ``service``.

SQLite is copied page by page with its online backup API (the app may keep running); PostgreSQL is dumped with
``pg_dump`` in its custom format and restored with ``pg_restore --clean`` in one transaction. A backup holds the
NIKs encrypted under ``DATA_KEY``: without that key it restores, but no NIK in it can be read or looked up.
"""
