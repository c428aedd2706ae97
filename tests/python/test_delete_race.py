"""A conversation deleted while LangGraph writes to it, on real concurrent
connections, at every isolation level: a write never survives the deletion of its
conversation (the ownership foreign key: the deletion waits for the write in flight
and cascades to its rows, or one side fails to serialize and nothing is lost or
left behind); writes after the deletion are refused; neither side deadlocks.
The two sides are ordered by watching pg_blocking_pids, never by sleeping."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import psycopg
import pytest
from dbtools import thread_rows
from langgraph.checkpoint.postgres import PostgresSaver

import threadguard as tg
from threadguard.demo import chat_graph, config

BLOB_SQL = (
    "insert into public.checkpoint_blobs (thread_id, checkpoint_ns, channel, version, type, blob)"
    " values (%s, '', 'messages', %s, 'msgpack', '\\x00')"
    " on conflict (thread_id, checkpoint_ns, channel, version) do nothing"
)


def _wait_until_blocked(conninfo: str, pid: int, future: Future[Any]) -> None:
    """Poll until backend `pid` waits for a lock (or the call it runs has ended)."""
    deadline = time.monotonic() + 30
    with psycopg.connect(conninfo, autocommit=True) as conn:
        while time.monotonic() < deadline:
            if future.done():
                future.result()  # raises what the deleting side raised
                pytest.fail("it did not wait for the other transaction")
            if conn.execute("select cardinality(pg_blocking_pids(%s)) > 0", (pid,)).fetchone()[0]:
                return
    pytest.fail("it never started waiting")


LEVELS = [psycopg.IsolationLevel.READ_COMMITTED, psycopg.IsolationLevel.REPEATABLE_READ, psycopg.IsolationLevel.SERIALIZABLE]


def _conversation_exists(conninfo: str, thread: str) -> bool:
    with psycopg.connect(conninfo) as conn:
        return conn.execute("select exists (select from threadguard.conversations where thread_id = %s)", (thread,)).fetchone()[0]


def _race(
    app_db: str,
    migrated_db: str,
    delete: Callable[[tg.BoundConnection, str], Any],
    writer_level: psycopg.IsolationLevel = psycopg.IsolationLevel.READ_COMMITTED,
    deleter_level: psycopg.IsolationLevel = psycopg.IsolationLevel.READ_COMMITTED,
) -> None:
    who = (uuid.uuid4(), uuid.uuid4())
    with tg.connect(app_db) as writer, tg.connect(app_db) as deleter, ThreadPoolExecutor(1) as pool:
        writer.isolation_level, deleter.isolation_level = writer_level, deleter_level
        with tg.acting_as(*who):
            thread = tg.create_conversation(writer, "racing").thread_id
            graph = chat_graph(PostgresSaver(writer))
            graph.invoke({"messages": ["before"]}, config(thread))  # the session now holds a claim
            deleter_pid = deleter.execute("select pg_backend_pid() as pid").fetchone()["pid"]

            def run_delete() -> Any:
                with tg.acting_as(*who), deleter.transaction():
                    return delete(deleter, thread)

            with writer.transaction():
                writer.execute(BLOB_SQL, (thread, "in-flight-1"))
                deleting = pool.submit(run_delete)
                _wait_until_blocked(migrated_db, deleter_pid, deleting)
                # Still inside the write transaction, with the deletion queued behind it.
                writer.execute(BLOB_SQL, (thread, "in-flight-2"))
            try:
                deleting.result(timeout=30)
            except psycopg.errors.SerializationFailure:
                # The deletion could not serialize after the write: it changed nothing, and
                # the conversation keeps every row. Deleting again now succeeds.
                assert deleter_level != psycopg.IsolationLevel.READ_COMMITTED
                assert _conversation_exists(migrated_db, thread) and thread_rows(migrated_db, thread) > 0
                assert tg.delete_conversation(deleter, thread)

            assert not _conversation_exists(migrated_db, thread)
            assert thread_rows(migrated_db, thread) == 0, "rows written while the deletion waited survived it"
            with pytest.raises(tg.ThreadNotOwnedError):
                graph.invoke({"messages": ["after"]}, config(thread))
            with pytest.raises(tg.ThreadNotOwnedError):
                writer.execute(BLOB_SQL, (thread, "after"))
            assert thread_rows(migrated_db, thread) == 0


@pytest.mark.parametrize("writer_level", LEVELS, ids=lambda level: f"writer-{level.name}")
@pytest.mark.parametrize("deleter_level", LEVELS, ids=lambda level: f"deleter-{level.name}")
def test_delete_conversation_waits_for_writes_in_flight_and_purges_them(
    app_db: str, migrated_db: str, writer_level: psycopg.IsolationLevel, deleter_level: psycopg.IsolationLevel
) -> None:
    _race(app_db, migrated_db, lambda conn, thread: tg.delete_conversation(conn, thread), writer_level, deleter_level)


def test_a_plain_delete_races_a_write_without_deadlock(app_db: str, migrated_db: str) -> None:
    # The application deleting the row itself: the keys cascade all the same.
    def plain_delete(conn: tg.BoundConnection, thread: str) -> None:
        assert conn.execute("delete from threadguard.conversations where thread_id = %s", (thread,)).rowcount == 1

    _race(app_db, migrated_db, plain_delete)


def test_a_write_that_waits_for_a_deletion_is_refused_after_it(app_db: str, migrated_db: str) -> None:
    # The other order: the deletion holds the thread when the write arrives. The write
    # waits for it, then checks again with a fresh snapshot, finds no conversation,
    # and is refused, claim or not.
    who = (uuid.uuid4(), uuid.uuid4())
    with tg.connect(app_db) as writer, tg.connect(app_db) as deleter, ThreadPoolExecutor(1) as pool:
        with tg.acting_as(*who):
            thread = tg.create_conversation(writer, "deleted first").thread_id
            writer.execute(BLOB_SQL, (thread, "claimed"))  # the writer's session holds a claim
            writer_pid = writer.execute("select pg_backend_pid() as pid").fetchone()["pid"]
            deleter.execute("select 1")

            def late_write() -> Any:
                with tg.acting_as(*who):
                    return writer.execute(BLOB_SQL, (thread, "late"))

            with deleter.transaction():
                assert tg.delete_conversation(deleter, thread)
                writing = pool.submit(late_write)
                _wait_until_blocked(migrated_db, writer_pid, writing)
            with pytest.raises(tg.ThreadNotOwnedError):
                writing.result(timeout=30)
            assert thread_rows(migrated_db, thread) == 0


@pytest.mark.parametrize("level", LEVELS[1:], ids=lambda level: level.name)
def test_a_write_whose_snapshot_predates_the_deletion_does_not_survive_it(app_db: str, migrated_db: str, level: psycopg.IsolationLevel) -> None:
    """A repeatable-read or serializable writer still sees the conversation in its
    snapshot when another transaction deletes it: its write fails, nothing is left."""
    who = (uuid.uuid4(), uuid.uuid4())
    with tg.connect(app_db) as writer, tg.connect(app_db) as deleter, tg.acting_as(*who):
        thread = tg.create_conversation(writer, "snapshot").thread_id
        writer.isolation_level = level
        with pytest.raises((psycopg.errors.SerializationFailure, tg.ThreadNotOwnedError)), writer.transaction():
            assert tg.get_conversation(writer, thread) is not None  # the snapshot is taken
            assert tg.delete_conversation(deleter, thread)
            writer.execute(BLOB_SQL, (thread, "stale"))
        assert thread_rows(migrated_db, thread) == 0
        assert not _conversation_exists(migrated_db, thread)


def test_no_session_setting_lets_a_write_into_another_users_thread(app_db: str, migrated_db: str) -> None:
    """Whatever settings a session makes (threadguard.*, session-level app.*), its writes
    into another user's thread are refused, the victim's pending writes are not
    pre-empted, and deleting the victim's conversation leaves nothing behind."""
    victim, attacker = (uuid.uuid4(), uuid.uuid4()), (uuid.uuid4(), uuid.uuid4())
    with tg.connect(app_db) as conn:
        with tg.acting_as(*victim):
            thread = tg.create_conversation(conn, "victim").thread_id
            graph = chat_graph(PostgresSaver(conn))
            graph.invoke({"messages": ["mine"]}, config(thread))
            checkpoint_id = PostgresSaver(conn).get_tuple(config(thread)).checkpoint["id"]
        with psycopg.Cursor(conn) as raw:
            for name in ("threadguard.write_claims", "threadguard.bound_tenant_id", "threadguard.bound_user_id"):
                raw.execute("select set_config(%s, %s, false)", (name, f"|{attacker[0]} {attacker[1]} {thread}|"))
            raw.execute("select set_config('app.tenant_id', %s, false), set_config('app.user_id', %s, false)", (str(victim[0]), str(victim[1])))
        with tg.acting_as(*attacker):
            for statement in (
                BLOB_SQL,
                "insert into public.checkpoint_writes (thread_id, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, blob)"
                " values (%s, '', %s, 'forged-task', 0, 'messages', 'msgpack', '\\x00') on conflict do nothing",
            ):
                args = (thread, "forged") if statement is BLOB_SQL else (thread, checkpoint_id)
                with pytest.raises(tg.ThreadNotOwnedError):
                    conn.execute(statement, args)
        with tg.acting_as(*victim):
            assert tg.delete_conversation(conn, thread)
    assert thread_rows(migrated_db, thread) == 0
