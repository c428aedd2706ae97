"""docs/operations.md's transcripts run as printed. Every fenced block of it with no language is a
transcript: `$ ` lines are shell commands (a trailing backslash continues one), `=> ` lines are SQL
statements run by psql (up to the line ending in `;`), and the lines after each are exactly what it
printed. They run in order, in one database and one directory, as a login granted the install's
admin role (DATABASE_URL), each block after the data its paragraph describes was written. The only
things compared loosely are where the command says it connected (database and host) and the
blanks psql leaves at the end of a line."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import psycopg
from dbtools import ROOT, app_conninfo, ensure_app_login, operator_conninfo
from langgraph.checkpoint.postgres import PostgresSaver
from langgraph.store.postgres import PostgresStore

import threadguard as tg
from threadguard.demo import chat_graph, config

TENANT = uuid.UUID("7d3c0a0e-5f1b-4c35-9a57-0c8a4d2f6b11")
USER = uuid.UUID("e2b7f9d4-1a6c-4f0e-8d3b-5c9a7e1f2d40")
TRIP = "6f1d2c3b-8a9e-4b7c-9d0e-1f2a3b4c5d6e"
_WHERE = re.compile(r"database \S+ on .+? as ")


def transcripts() -> list[str]:
    text = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    fences = list(re.finditer(r"^```(\w*)\n", text, re.M))
    blocks = [text[start.end():end.start()] for start, end in zip(fences[::2], fences[1::2], strict=True)
              if not start.group(1)]
    return [b for b in blocks if re.match(r"(\$|=>) ", b)]


def steps(block: str) -> list[tuple[str, str, list[str]]]:
    """(kind, command, expected output lines) for each `$ ` or `=> ` of a transcript."""
    out: list[tuple[str, str, list[str]]] = []
    lines = block.rstrip("\n").split("\n")
    i = 0
    while i < len(lines):
        kind, _, command = lines[i].partition(" ")
        i += 1
        while (command.endswith("\\") if kind == "$" else not command.rstrip().endswith(";")):
            command += "\n" + lines[i]
            i += 1
        expected = []
        while i < len(lines) and not re.match(r"(\$|=>) ", lines[i]):
            expected.append(lines[i])
            i += 1
        out.append((kind, command, expected))
    return out


def _erase_scenario(db: str, app: str) -> None:
    """The user of TENANT has 600 conversations, each with a checkpoint, and 2 store items."""
    with psycopg.connect(db) as conn:  # as a superuser: fixtures, not the path under test
        conn.execute("insert into threadguard.conversations (id, tenant_id, user_id)"
                     " select gen_random_uuid(), %s, %s from generate_series(1, 600)", (TENANT, USER))
        conn.execute("insert into public.checkpoints (thread_id, checkpoint_id, checkpoint, threadguard_tenant_id, threadguard_user_id)"
                     " select c.thread_id, 'c1', '{}', c.tenant_id, c.user_id from threadguard.conversations as c")
    with tg.connect(app) as conn, tg.acting_as(TENANT, USER):
        store = PostgresStore(conn)
        for key in ("diet", "seat"):
            store.put((str(TENANT), str(USER), "memories"), key, {"text": key})


def _sweep_scenario(db: str, app: str) -> None:
    """1,200 store items of other tenants, expired an hour ago."""
    with psycopg.connect(db) as conn:
        conn.execute("insert into public.store (prefix, key, value, expires_at, ttl_minutes)"
                     " select t::text || '.' || gen_random_uuid()::text || '.memories', 'k' || g, '{}',"
                     "        now() - interval '1 hour', 60"
                     "   from generate_series(1, 1200) as g, (select gen_random_uuid() as t) as tenant")


def _assign_scenario(db: str, app: str) -> None:
    """Two items LangGraph wrote before adoption, under ("memories", "<user>")."""
    with psycopg.connect(db) as conn:
        conn.execute("insert into public.store (prefix, key, value) values (%s, 'diet', '{}'), (%s, 'seat', '{}')",
                     (f"memories.{USER}",) * 2)


def _retention_scenario(db: str, app: str) -> None:
    """TENANT's user has a conversation of 5 turns and one last active 40 days ago."""
    with tg.connect(app) as conn, tg.acting_as(TENANT, USER):
        graph = chat_graph(PostgresSaver(conn))
        busy, idle = tg.create_conversation(conn, "busy").thread_id, tg.create_conversation(conn, "idle").thread_id
        for turn in range(5):
            graph.invoke({"messages": [f"turn {turn}"]}, config(busy))
        graph.invoke({"messages": ["long ago"]}, config(idle))
    with psycopg.connect(db) as conn:
        conn.execute("update threadguard.conversations set updated_at = now() - interval '40 days' where thread_id = %s", (idle,))


def _export_scenario(db: str, app: str) -> None:
    """TENANT's user (everything above erased, pruned or moved first) has one conversation, "Trip
    to Lisbon", that said hello once, and two memories."""
    with psycopg.connect(db) as conn:
        conn.execute("delete from threadguard.conversations")
        conn.execute("delete from public.store")
    with tg.connect(app) as conn, tg.acting_as(TENANT, USER):
        tg.create_conversation(conn, "Trip to Lisbon", TRIP)
        chat_graph(PostgresSaver(conn)).invoke({"messages": ["hello"]}, config(TRIP))
        store = PostgresStore(conn)
        store.put((str(TENANT), str(USER), "memories"), "diet", {"text": "vegetarian"})
        store.put((str(TENANT), str(USER), "memories"), "seat", {"text": "window"})


# What each transcript's paragraph says the database holds, by the transcript's first command.
SCENARIOS: dict[str, Callable[[str, str], None]] = {
    "threadguard erase": _erase_scenario,
    "threadguard sweep-store": _sweep_scenario,
    "select threadguard.assign_store_items": _assign_scenario,
    "select threadguard.set_retention": _retention_scenario,
    "threadguard export": _export_scenario,
    "jq -c 'select(.store_item)": lambda db, app: None,  # the export just made
}


def _run(kind: str, command: str, operator: str, cwd: Path) -> list[str]:
    env = {**os.environ, "DATABASE_URL": operator, "PYTHONUNBUFFERED": "1",
           "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    argv = ["bash", "-c", command] if kind == "$" else ["psql", operator, "-X", "-c", command]
    done = subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300)
    assert done.returncode == 0, f"{command}\n{done.stdout}"
    return done.stdout.rstrip("\n").split("\n") if done.stdout.strip() else []


def test_every_transcript_of_the_operators_manual_prints_what_it_shows(migrated_db: str, tmp_path: Path) -> None:
    ensure_app_login(migrated_db)
    app, operator = app_conninfo(migrated_db), operator_conninfo(migrated_db)
    blocks = transcripts()
    assert len(blocks) >= 6, "docs/operations.md lost its transcripts"
    for block in blocks:
        block_steps = steps(block)
        first = block_steps[0][1]
        scenario = next((s for prefix, s in SCENARIOS.items() if first.startswith(prefix)), None)
        assert scenario is not None, f"no scenario for the transcript starting {first!r}: add one to SCENARIOS"
        scenario(migrated_db, app)
        for kind, command, expected in block_steps:
            printed = _run(kind, command, operator, tmp_path)
            # psql pads its header lines with spaces an editor strips: lines compare without trailing blanks.
            normalise = [_WHERE.sub("database D on H as ", line).rstrip() for line in printed]
            assert normalise == [_WHERE.sub("database D on H as ", line).rstrip() for line in expected], \
                f"docs/operations.md: {command!r} printed:\n" + "\n".join(printed)
