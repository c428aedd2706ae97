"""A conversation deleted while LangGraph writes to it, on real concurrent
connections: the deletion waits for the write transaction in flight, then purges
its rows too; writes after the deletion are refused; and neither side deadlocks,
whether the deletion goes through delete_conversation or a plain DELETE.
The two sides are ordered by watching pg_locks, never by sleeping."""

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


def _race(app_db: str, migrated_db: str, delete: Callable[[tg.BoundConnection, str], Any]) -> None:
    who = (uuid.uuid4(), uuid.uuid4())
    with tg.connect(app_db) as writer, tg.connect(app_db) as deleter, ThreadPoolExecutor(1) as pool:
        with tg.acting_as(*who):
            thread = tg.create_conversation(writer, "racing").thread_id
            graph = chat_graph(PostgresSaver(writer))
            graph.invoke({"messages": ["before"]}, config(thread))  # the session now holds a claim
            deleter_pid = deleter.execute("select pg_backend_pid() as pid").fetchone()["pid"]

            def run_delete() -> Any:
                with tg.acting_as(*who):
                    return delete(deleter, thread)

            with writer.transaction():
                writer.execute(BLOB_SQL, (thread, "in-flight-1"))
                deleting = pool.submit(run_delete)
                _wait_until_blocked(migrated_db, deleter_pid, deleting)
                # Still inside the write transaction, with the deletion queued behind it.
                writer.execute(BLOB_SQL, (thread, "in-flight-2"))
            deleting.result(timeout=30)

            assert thread_rows(migrated_db, thread) == 0, "rows written while the deletion waited survived it"
            with pytest.raises(tg.ThreadNotOwnedError):
                graph.invoke({"messages": ["after"]}, config(thread))
            with pytest.raises(tg.ThreadNotOwnedError):
                writer.execute(BLOB_SQL, (thread, "after"))
            assert thread_rows(migrated_db, thread) == 0


def test_delete_conversation_waits_for_writes_in_flight_and_purges_them(app_db: str, migrated_db: str) -> None:
    _race(app_db, migrated_db, lambda conn, thread: tg.delete_conversation(conn, thread))


def test_a_plain_delete_races_a_write_without_deadlock(app_db: str, migrated_db: str) -> None:
    # A plain DELETE locks the conversation's row before its trigger waits for the
    # writers; the writer's next row must not wait for that row lock (SKIP LOCKED).
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
