"""The write check as the binding and LangGraph use it: bound sessions take the
fast paths, and outside read committed (LangGraph's prune writes in repeatable
read transactions), where marking the conversation's activity could fail on any
concurrent activity with a serialization error, the check only checks."""

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


def test_the_bindings_sessions_take_the_fast_paths(app_db: str) -> None:
    """What the benchmarks rely on: a bound connection carries the marker that spares
    the context its character checks, and after a LangGraph write, a claim on the thread."""
    from langgraph.checkpoint.postgres import PostgresSaver

    from threadguard.demo import chat_graph, config

    tenant, user = uuid.uuid4(), uuid.uuid4()
    with tg.connect(app_db) as conn, tg.acting_as(tenant, user):
        thread = tg.create_conversation(conn, "fast").thread_id
        chat_graph(PostgresSaver(conn)).invoke({"messages": ["hi"]}, config(thread))
        row = conn.execute(
            "select current_setting('app.tenant_id') as t, current_setting('threadguard.bound_tenant_id') as bt,"
            " current_setting('app.user_id') as u, current_setting('threadguard.bound_user_id') as bu,"
            " current_setting('threadguard.write_claims') as claims").fetchone()
    assert (row["t"], row["u"]) == (str(tenant), str(user))
    assert (row["bt"], row["bu"]) == (row["t"], row["u"]), "the binding did not mark the identity it set"
    assert f" {thread} " in row["claims"], "no claim recorded for the thread LangGraph wrote"
