"""Backups: a consistent snapshot of the database and the photos, and bringing one back.

A snapshot is a folder:

    manifest.json   format, time, schema revision, each table's row count and digest,
                    and the SHA-256 of every file below
    gemba.db        SQLite: a copy made with SQLite's online backup API
    gemba.dump      PostgreSQL: `pg_dump --format=custom` of one exported snapshot
    photos/         the photo store, copied after the database

The database is copied in one read transaction while the app keeps serving, so
a snapshot never holds half a batch. Photos are copied after it: every photo
the snapshot's rows name was already on disk. A snapshot is written into a
hidden folder beside its target and renamed into place only once complete, so
a full disk or an unwritable folder leaves no half snapshot, and the live
database is only ever read. Restoring stages everything beside the instance
data first and swaps it in last.

`snapshot` takes one and `restore` brings one back; `sqlite` and `postgres` copy
and restore each kind of database; `digests` sums up the tables, `files` copies
and checks files, and `errors` says in words why something could not be done.
"""
