"""The write check outside read committed: LangGraph's prune writes in repeatable
read transactions, where marking the conversation's activity could fail on any
concurrent activity (a serialization error). There the check only checks."""

from __future__ import annotations

import uuid

import psycopg

import threadguard as tg

BLOB_SQL = (
    "insert into public.checkpoint_blobs (thread_id, checkpoint_ns, channel, version, type, blob)"
    " values (%s, '', 'messages', %s, 'msgpack', '\\x00')"
)


def _updated_at(conninfo: str, thread_id: str) -> object:
    with psycopg.connect(conninfo) as conn:
        return conn.execute("select updated_at from threadguard.conversations where thread_id = %s",
                            (thread_id,)).fetchone()[0]


def test_a_repeatable_read_write_survives_concurrent_activity(app_db: str, migrated_db: str) -> None:
    who = (uuid.uuid4(), uuid.uuid4())
    with tg.connect(app_db) as first, tg.connect(app_db) as second, tg.acting_as(*who):
        thread = tg.create_conversation(first, "pruned").thread_id
        first.execute("select 1")  # the identity is on the session before the transaction starts
        with first.transaction():
            first.execute("set transaction isolation level repeatable read")
            first.execute("select count(*) from public.checkpoints")  # takes the snapshot
            second.execute(BLOB_SQL, (thread, "concurrent"))  # marks the activity, committed
            marked = _updated_at(migrated_db, thread)
            first.execute(BLOB_SQL, (thread, "repeatable"))  # must not fail with 40001
            claims = first.execute("select current_setting('threadguard.write_claims', true) as v").fetchone()["v"]
            assert claims in (None, ""), "a repeatable read write recorded a claim"
        assert _updated_at(migrated_db, thread) == marked, "a repeatable read write marked the activity"
        with psycopg.connect(migrated_db) as conn:
            assert conn.execute("select count(*) from public.checkpoint_blobs where thread_id = %s",
                                (thread,)).fetchone()[0] == 2
