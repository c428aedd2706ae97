"""The backup and restore drill (issue #24, item 1), with PostgreSQL's own pg_dump and pg_restore: a
populated database (two tenants' LangGraph threads and store items) is dumped by a role that bypasses
RLS, lost, and restored; `threadguard verify` is clean, `threadguard row-counts` gives the same lines
per table and tenant as before, every policy and definition is back (the catalog fingerprint), and
the application's login is still isolated. What fails loudly, and what does not: a dump by a role
without BYPASSRLS."""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import psycopg
import pytest
from dbtools import app_conninfo, ensure_app_login, fresh_database, pg_dump_binary
from langgraph.store.postgres import PostgresStore
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

import threadguard as tg
from threadguard import runner
from threadguard.demo import chat_graph, config


def _cli(conninfo: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "threadguard.cli", "--database", conninfo, *args],
                          capture_output=True, text=True, timeout=300)


def _populate(app: str) -> dict[str, tuple[str, str, str]]:
    """Two tenants, each a conversation with two turns of LangGraph and a store item; name -> (tenant, user, thread)."""
    people: dict[str, tuple[str, str, str]] = {}
    with tg.connect(app) as conn:
        graph, store = chat_graph(tg.PostgresSaver(conn)), PostgresStore(conn)
        for name in ("alice", "bob"):
            tenant, user = str(uuid.uuid4()), str(uuid.uuid4())
            with tg.acting_as(tenant, user):
                thread = tg.create_conversation(conn, f"{name}'s chat").thread_id
                for text in ("hello", "again"):
                    graph.invoke({"messages": [f"{text} from {name}"]}, config(thread))
                store.put(tg.user_namespace("memories"), "k", {"who": name})
            people[name] = (tenant, user, thread)
    return people


def _pg_dump_fits(conninfo: str) -> str | None:
    """Why the machine's pg_dump cannot run the drill against this server, or None."""
    found = re.search(r"(\d+)", subprocess.run([pg_dump_binary(), "--version"], capture_output=True, text=True).stdout)
    with psycopg.connect(conninfo) as conn:
        server = conn.info.server_version // 10000
    client = int(found.group(1)) if found else 0
    if client == server:
        return None
    # Older: it refuses the server. Newer: its --create dump names options the older server lacks
    # (pg_dump 15 writes CREATE DATABASE ... LOCALE_PROVIDER, which PostgreSQL 14 rejects).
    return f"the drill needs pg_dump of the server's major version: here {client} (Debian's client), the server {server}"


def _readme_blocks() -> tuple[str, str]:
    """The two shell blocks of docs/operations.md's Backups paragraph: the backup, the restore and its proof."""
    readme = (Path(__file__).resolve().parents[2] / "docs" / "operations.md").read_text(encoding="utf-8")
    section = readme[readme.index("- **Backups**"):readme.index("- **Replication.**")]
    blocks = re.findall(r"\n  ```sh\n(.*?)\n  ```\n", section, re.DOTALL)
    assert len(blocks) == 2, blocks
    return tuple("\n".join(line.removeprefix("  ") for line in b.splitlines()) for b in blocks)  # type: ignore[return-value]


def _env(conninfo: str) -> dict[str, str]:
    """pg_dump/pg_restore take libpq's variables."""
    names = {"host": "PGHOST", "port": "PGPORT", "user": "PGUSER", "password": "PGPASSWORD", "dbname": "PGDATABASE"}
    return {names[k]: str(v) for k, v in conninfo_to_dict(conninfo).items() if k in names}


def test_dump_restore_drill_loses_no_row_and_keeps_isolation() -> None:
    import os

    with fresh_database("tg_drill") as db:
        if (why := _pg_dump_fits(db)) is not None:
            pytest.skip(why)
        runner.migrate(db)
        ensure_app_login(db)
        app = app_conninfo(db)
        people = _populate(app)
        before = _cli(db, "row-counts", "--reason", "restore drill: before")
        assert before.returncode == 0, before.stderr
        assert len(before.stdout.splitlines()) == 10, before.stdout  # 5 tables x 2 tenants
        with psycopg.connect(db) as conn:
            fingerprint = conn.execute("select threadguard.catalog_fingerprint()").fetchone()

        with tempfile.TemporaryDirectory() as tmp:
            # What fails loudly: a role without BYPASSRLS (the application's login) cannot dump the protected tables...
            refused = subprocess.run([pg_dump_binary(), "--data-only", "-t", "public.checkpoints"], env={**os.environ, **_env(app)},
                                     capture_output=True, text=True)
            assert refused.returncode != 0 and "row-level security" in refused.stderr, refused.stderr
            # ...nor with --enable-row-security: on a plain RLS table that exits 0 having dumped no row; here the
            # policies read the view threadguard.context, which pg_dump (15.8+, 16.4+, 17+) refuses to read
            # (restrict_nonsystem_relation_kind), so it fails loudly too. An older pg_dump would dump nothing.
            silent = subprocess.run([pg_dump_binary(), "--enable-row-security", "--data-only", "-t", "public.checkpoints"],
                                    env={**os.environ, **_env(app)}, capture_output=True, text=True)
            if silent.returncode == 0:
                copied = silent.stdout.split("FROM stdin;\n", 1)[1].split("\\.", 1)[0]
                assert copied == "", "the application's login dumped rows it cannot see"
            else:
                assert 'access to non-system view "context" is restricted' in silent.stderr, silent.stderr

            # The drill, as docs/operations.md prints it: row counts and a dump (a superuser here), the database lost, the restore.
            backup, restore = _readme_blocks()
            env = {**os.environ, "DATABASE_URL": db, "RESTORE_URL": make_conninfo(db, dbname="postgres"),
                   "PATH": f"{Path(sys.executable).parent}:{Path(pg_dump_binary()).parent}:{os.environ['PATH']}"}
            done = subprocess.run(["bash", "-euo", "pipefail", "-c", backup], cwd=tmp, env=env, capture_output=True, text=True)
            assert done.returncode == 0, done.stderr
            name = conninfo_to_dict(db)["dbname"]
            with psycopg.connect(make_conninfo(db, dbname="postgres"), autocommit=True) as admin:
                admin.execute(sql.SQL("drop database {} with (force)").format(sql.Identifier(name)))
            done = subprocess.run(["bash", "-euo", "pipefail", "-c", restore], cwd=tmp, env=env, capture_output=True, text=True)
            assert done.returncode == 0 and done.stdout.splitlines() == ["threadguard verify: ok", "every row is back"], \
                done.stdout + done.stderr
            assert (Path(tmp) / "counts-after.tsv").read_text() == before.stdout

        verified = _cli(db, "verify")
        assert verified.returncode == 0 and verified.stdout.strip() == "threadguard verify: ok", verified.stdout + verified.stderr
        after = _cli(db, "row-counts", "--reason", "restore drill: after")
        assert after.stdout == before.stdout, "rows per table and tenant differ after the restore"
        with psycopg.connect(db) as conn:
            assert conn.execute("select threadguard.catalog_fingerprint()").fetchone() == fingerprint, "a definition did not come back"
        with tg.connect(app) as conn:
            graph = chat_graph(tg.PostgresSaver(conn))
            alice, bob = people["alice"], people["bob"]
            with tg.acting_as(alice[0], alice[1]):
                assert graph.get_state(config(alice[2])).values["messages"][-1] == "assistant: I heard 'again from alice'"
                assert graph.get_state(config(bob[2])).values == {}
                assert [c.title for c in tg.list_conversations(conn)] == ["alice's chat"]
            with pytest.raises(tg.ThreadNotOwnedError):
                graph.invoke({"messages": ["no identity"]}, config(alice[2]))
