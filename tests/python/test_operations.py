"""Operator commands on a throwaway database, as an operator's login (granted
threadguard_admin, not a superuser): erasure of a 10,000-conversation tenant in
bounded batches within PostgreSQL's default lock limits, proven complete, audited,
and a second run that finds nothing."""

from __future__ import annotations

import subprocess
import sys
import uuid

import psycopg
from dbtools import operator_conninfo


def test_erase_a_tenant_of_10000_conversations(migrated_db: str) -> None:
    doomed, kept = uuid.uuid4(), uuid.uuid4()
    with psycopg.connect(migrated_db) as conn:  # as a superuser: fixtures, not the path under test
        for tenant, n in ((doomed, 10_000), (kept, 3)):
            conn.execute(
                "insert into threadguard.conversations (id, tenant_id, user_id)"
                " select gen_random_uuid(), %s, (array[%s::uuid, %s::uuid])[1 + g %% 2] from generate_series(1, %s) as g",
                (tenant, uuid.uuid4(), uuid.uuid4(), n))
        for table, columns, values in (
            ("checkpoints", "checkpoint_id, checkpoint", "'c1', '{}'"),
            ("checkpoint_blobs", "channel, version, type, blob", "'messages', '1', 'msgpack', '\\x00'"),
            ("checkpoint_writes", "checkpoint_id, task_id, idx, channel, type, blob", "'c1', 't', 0, 'messages', 'msgpack', '\\x00'"),
        ):
            conn.execute(f"insert into public.{table} (thread_id, {columns}, threadguard_tenant_id, threadguard_user_id)"
                         f" select c.thread_id, {values}, c.tenant_id, c.user_id from threadguard.conversations as c")
    operator = operator_conninfo(migrated_db)
    command = [sys.executable, "-m", "threadguard.cli", "erase", "--database", operator, "--tenant", str(doomed),
               "--reason", "tenant closed its account", "--batch-size", "1000"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "10,000 conversation(s) and store item(s) erased, 0 left" in done.stderr
    assert done.stdout.strip() == "left: 0 conversation(s), 0 checkpoint(s), 0 blob(s), 0 write(s), 0 store item(s)"
    again = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0 and "0 conversation(s) and store item(s) erased, 0 left" in again.stderr
    with psycopg.connect(migrated_db) as conn:
        assert conn.execute("select count(*) from threadguard.conversations where tenant_id = %s", (kept,)).fetchone()[0] == 3
        assert conn.execute("select count(*) from public.checkpoint_writes where threadguard_tenant_id = %s", (kept,)).fetchone()[0] == 3
        audit = conn.execute("select action, actor, row_count from threadguard.audit_log where tenant_id = %s order by id",
                             (doomed,)).fetchall()
    erases = [r for r in audit if r[0] == "erase"]
    assert sum(r[2] for r in erases) == 10_000 and len(erases) == 11, "ten batches of 1,000, then the second run's empty one"
    assert {r[1] for r in audit} == {"threadguard_test_operator"}


def test_retention_prunes_a_thread_langgraph_then_resumes_and_deletes_idle_ones(migrated_db: str, app_db: str) -> None:
    from langgraph.checkpoint.postgres import PostgresSaver

    import threadguard as tg
    from threadguard.demo import chat_graph, config

    tenant, user = uuid.uuid4(), uuid.uuid4()
    with tg.connect(app_db) as conn, tg.acting_as(tenant, user):
        saver = PostgresSaver(conn)
        graph = chat_graph(saver)
        kept, idle = tg.create_conversation(conn, "kept").thread_id, tg.create_conversation(conn, "idle").thread_id
        for turn in range(4):
            graph.invoke({"messages": [f"turn {turn}"]}, config(kept))
        graph.invoke({"messages": ["long ago"]}, config(idle))
        before = len(list(saver.list(config(kept))))
    with psycopg.connect(migrated_db) as conn:  # the idle one was last active 100 days ago
        conn.execute("update threadguard.conversations set updated_at = now() - interval '100 days' where thread_id = %s", (idle,))
    operator = operator_conninfo(migrated_db)
    with psycopg.connect(operator, autocommit=True) as conn:
        conn.execute("select threadguard.set_retention(%s, 30, 2, 'test policy')", (tenant,))
    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "threadguard.cli", "retention", "--database", operator, *args],
                              capture_output=True, text=True, timeout=300)

    dry = cli("--dry-run", "--batch-size", "1")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.startswith("would remove 1 idle conversation(s)")
    with tg.connect(app_db) as conn, tg.acting_as(tenant, user):
        assert len(list(PostgresSaver(conn).list(config(kept)))) == before, "a dry run removed something"
    done = cli("--batch-size", "1")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("removed 1 idle conversation(s)")
    with tg.connect(app_db) as conn, tg.acting_as(tenant, user):
        saver = PostgresSaver(conn)
        graph = chat_graph(saver)
        assert tg.get_conversation(conn, idle) is None
        assert len(list(saver.list(config(kept)))) == 2
        assert graph.get_state(config(kept)).values["messages"][-1] == "assistant: I heard 'turn 3'"
        graph.invoke({"messages": ["after retention"]}, config(kept))  # LangGraph resumes where it was
        assert graph.get_state(config(kept)).values["messages"][-2:] == ["after retention", "assistant: I heard 'after retention'"]
    again = cli()  # the turn after retention wrote new checkpoints: pruned to 2 again
    assert again.returncode == 0 and again.stdout.startswith("removed 0 idle conversation(s), 3 checkpoint(s)"), again.stdout
    with tg.connect(app_db) as conn, tg.acting_as(tenant, user):
        assert len(list(PostgresSaver(conn).list(config(kept)))) == 2
        assert chat_graph(PostgresSaver(conn)).get_state(config(kept)).values["messages"][-1] == "assistant: I heard 'after retention'"
    assert cli().stdout.startswith("removed 0 idle conversation(s), 0 checkpoint(s), 0 blob(s), 0 write(s)"), "a second run removes nothing"


def test_export_round_trip_readable_by_json(migrated_db: str, app_db: str) -> None:
    import json

    from langgraph.checkpoint.postgres import PostgresSaver

    import threadguard as tg
    from threadguard.demo import chat_graph, config

    tenant, alice, bob, stranger = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), (uuid.uuid4(), uuid.uuid4())
    threads = {}
    with tg.connect(app_db) as conn:
        graph = chat_graph(PostgresSaver(conn))
        for who, words in ((alice, ["hello", "again"]), (bob, ["bonjour"])):
            with tg.acting_as(tenant, who):
                threads[who] = tg.create_conversation(conn, f"{who}").thread_id
                for word in words:
                    graph.invoke({"messages": [word]}, config(threads[who]))
        with tg.acting_as(*stranger):
            graph.invoke({"messages": ["not exported"]}, config(tg.create_conversation(conn, "other tenant").thread_id))
    operator = operator_conninfo(migrated_db)
    done = subprocess.run([sys.executable, "-m", "threadguard.cli", "export", "--database", operator, "--tenant", str(tenant),
                           "--reason", "data access request"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert {line["thread_id"] for line in lines} == {threads[alice], threads[bob]}
    by_user = {uuid.UUID(line["user_id"]): line for line in lines}
    assert by_user[alice]["state"]["messages"][-1] == "assistant: I heard 'again'"
    assert by_user[bob]["state"]["messages"] == ["bonjour", "assistant: I heard 'bonjour'"]
    assert len(by_user[alice]["history"]) > len(by_user[bob]["history"]) > 1
    assert "not exported" not in done.stdout
    one = subprocess.run([sys.executable, "-m", "threadguard.cli", "export", "--database", operator, "--tenant", str(tenant),
                          "--user", str(bob), "--reason", "data access request"], capture_output=True, text=True, timeout=300)
    assert [json.loads(line)["thread_id"] for line in one.stdout.splitlines()] == [threads[bob]]
    with psycopg.connect(migrated_db) as conn:
        actions = [r[0] for r in conn.execute("select action from threadguard.audit_log where reason = 'data access request' order by id")]
    assert actions.count("export") == 2 and actions.count("export_checkpoints") == 3


def test_export_never_runs_what_a_tenant_stored(migrated_db: str, app_db: str, tmp_path: object) -> None:
    """The application's login overwrites one of its own blobs with msgpack that names a Python
    callable (os.system). LangGraph's default serializer would call it; an export leaves no trace
    of it having run, and hands the value back as the arguments it was stored with."""
    import json
    from pathlib import Path

    import ormsgpack
    from langgraph.checkpoint.postgres import PostgresSaver
    from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

    import threadguard as tg
    from threadguard.demo import chat_graph, config

    marker = Path(str(tmp_path)) / "ran"
    payload = ormsgpack.packb(ormsgpack.Ext(0, ormsgpack.packb(("os", "system", f"touch {marker}"))))
    # The payload is live: the permissive serializer runs it (this is what export must never do).
    JsonPlusSerializer(allowed_msgpack_modules=True).loads_typed(("msgpack", payload))
    assert marker.exists()
    marker.unlink()

    tenant, user = uuid.uuid4(), uuid.uuid4()
    with tg.connect(app_db) as conn, tg.acting_as(tenant, user):
        thread = tg.create_conversation(conn, "planted").thread_id
        chat_graph(PostgresSaver(conn)).invoke({"messages": ["hi"]}, config(thread))
        assert conn.execute("update public.checkpoint_blobs set type = 'msgpack', blob = %s where thread_id = %s",
                            (payload, str(thread))).rowcount > 0
        pickled = conn.execute("update public.checkpoint_writes set type = 'pickle', blob = %s where thread_id = %s",
                               (b"cos\nsystem\n", str(thread))).rowcount
    done = subprocess.run([sys.executable, "-m", "threadguard.cli", "export", "--database", operator_conninfo(migrated_db),
                           "--tenant", str(tenant), "--reason", "planted payload"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert not marker.exists(), "export ran the tenant's payload"
    assert json.loads(done.stdout.splitlines()[0])["thread_id"] == str(thread)
    assert f"touch {marker}" in done.stdout, "the value comes back as the plain arguments it was stored with"
    if pickled:  # never unpickled: its type tag and bytes
        assert '"type": "pickle", "base64": "Y29zCnN5c3RlbQo="' in done.stdout
