"""The identity written as SET LOCAL (issue #24, item 5): Citus carries `SET LOCAL` to its workers but
not set_config(), so a Citus deployment can have the binding send `set local app.tenant_id = '...'`
instead (tg.saver_pool(..., set_local=True): each saver operation one transaction the pool commits).
The same isolation results as the default binding, direct and through PgBouncer; the server's log
shows SET LOCAL went out and set_config did not."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import psycopg
import pytest
from dbtools import APP_LOGIN, Route, thread_rows
from langgraph.checkpoint.postgres import PostgresSaver
from psycopg import sql

import threadguard as tg
from threadguard.demo import chat_graph, config


def test_the_identity_as_set_local_isolates_alike(app: Route, migrated_db: str) -> None:
    log = os.environ.get("TG_SERVER_LOG")
    if not log:
        pytest.skip("the server's log is not readable here: run through tests/with_db.sh (make test), which sets TG_SERVER_LOG")
    alice, bob = (uuid.uuid4(), uuid.uuid4()), (uuid.uuid4(), uuid.uuid4())
    start = Path(log).stat().st_size
    with psycopg.connect(migrated_db, autocommit=True) as admin:  # new sessions of the app's login log their statements
        admin.execute(sql.SQL("alter role {} set log_statement = 'all'").format(sql.Identifier(APP_LOGIN)))
    try:
        with tg.saver_pool(app.conninfo, kwargs=app.kwargs, set_local=True, max_size=2) as pool:
            saver = PostgresSaver(pool)
            graph = chat_graph(saver)
            with tg.acting_as(*alice):
                with pool.connection() as conn:
                    thread_a = tg.create_conversation(conn, "A's chat").thread_id
                graph.invoke({"messages": ["hello from A"]}, config(thread_a))
                graph.invoke({"messages": ["more from A"]}, config(thread_a))
            with tg.acting_as(*bob):
                with pool.connection() as conn:
                    thread_b = tg.create_conversation(conn, "B's chat").thread_id
                graph.invoke({"messages": ["hello from B"]}, config(thread_b))
            with tg.acting_as(*alice):
                assert graph.get_state(config(thread_a)).values["messages"][-1] == "assistant: I heard 'more from A'"
                assert graph.get_state(config(thread_b)).values == {}
                assert {c.config["configurable"]["thread_id"] for c in saver.list(None)} == {thread_a}
                with pool.connection() as conn:
                    assert [c.thread_id for c in tg.list_conversations(conn)] == [uuid.UUID(thread_a)]
            with tg.acting_as(*bob):
                before = thread_rows(migrated_db, thread_a)
                saver.delete_thread(thread_a)
                assert thread_rows(migrated_db, thread_a) == before, "B's delete_thread removed A's rows"
                with pytest.raises(tg.ThreadNotOwnedError):
                    graph.invoke({"messages": ["B writes into A's thread"]}, config(thread_a))
            assert saver.get_tuple(config(thread_a)) is None, "no identity read a thread"
            with pytest.raises(tg.ThreadNotOwnedError):
                graph.invoke({"messages": ["nobody"]}, config(thread_a))
    finally:
        with psycopg.connect(migrated_db, autocommit=True) as admin:
            admin.execute(sql.SQL("alter role {} reset log_statement").format(sql.Identifier(APP_LOGIN)))
    with open(log, "rb") as f:
        f.seek(start)
        text = f.read().decode(errors="replace")
    assert f"set local app.tenant_id = '{alice[0]}'" in text and f"set local app.user_id = '{bob[1]}'" in text
    assert str(alice[0]) not in "".join(line for line in text.splitlines() if "parameters:" in line), "set_config was sent"
    assert "SET LOCAL can only be used in transaction blocks" not in text


def test_a_set_local_connection_refuses_autocommit(app_db: str) -> None:
    with tg.SetLocalBoundConnection.connect(app_db, autocommit=True) as conn, tg.acting_as(uuid.uuid4(), uuid.uuid4()):
        with pytest.raises(psycopg.ProgrammingError, match="SET LOCAL, which needs a transaction"):
            conn.execute("select 1")
