"""The optional partitioned layout (`threadguard partition --partitions N`, issue #24 item 3): LangGraph's
three checkpoint tables rebuilt hash-partitioned by thread_id keep every row, every grant, policy and
forced RLS of their parents; a partition opens nothing to a direct read, and verify names one that
would; LangGraph's saver, its conformance suite and the isolation suites pass on it unchanged."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from dbtools import ROOT, app_conninfo, ensure_app_login, fresh_database, roles_of
from langgraph.checkpoint.postgres import PostgresSaver

import threadguard as tg
from threadguard import runner
from threadguard.demo import chat_graph, config

TABLES = ("checkpoints", "checkpoint_blobs", "checkpoint_writes")


def _cli(conninfo: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "threadguard.cli", "partition", "--database", conninfo, *args],
                          capture_output=True, text=True, timeout=300)


def _counts(conninfo: str) -> dict[tuple[str, str], int]:
    """Rows per table and tenant, read as a superuser."""
    with psycopg.connect(conninfo) as conn:
        return {(t, str(tenant)): n for t in TABLES for tenant, n in conn.execute(
            f"select threadguard_tenant_id, count(*) from public.{t} group by 1").fetchall()}


def test_partitioning_keeps_every_row_and_every_protection() -> None:
    with fresh_database("tg_partition") as db:
        runner.migrate(db)
        ensure_app_login(db)
        app = app_conninfo(db)
        people = [(uuid.uuid4(), uuid.uuid4()) for _ in range(2)]
        threads = {}
        for who in people:
            with tg.connect(app) as conn, tg.acting_as(*who):
                graph = chat_graph(PostgresSaver(conn))
                threads[who] = [str(tg.create_conversation(conn, f"t{i}").thread_id) for i in range(6)]
                for thread in threads[who]:
                    graph.invoke({"messages": ["hi"]}, config(thread))
        before = _counts(db)

        assert _cli(db, "--partitions", "1").returncode == 2, "2 to 1024 partitions"
        done = _cli(db, "--partitions", "4")
        assert done.returncode == 0, done.stderr
        # docs/scale.md shows this run's output (stderr, then stdout), where it connected aside.
        shown = (ROOT / "docs" / "scale.md").read_text(encoding="utf-8")
        shown = shown[shown.index("$ threadguard partition --partitions 4\n"):]
        shown = shown[shown.index("\n") + 1:shown.index("```")]
        where = re.compile(r"database \S+ on .+? as ")
        assert [where.sub("", line) for line in (done.stderr + done.stdout).splitlines()] == \
            [where.sub("", line) for line in shown.splitlines()], done.stderr + done.stdout
        assert _counts(db) == before, "a row was lost or gained"
        assert runner.verify(db) == []
        assert runner.migrate(db) == [] and not runner.migrate(db).definitions, "migrate finds nothing to do after it"
        with psycopg.connect(db) as conn:
            for table in TABLES:
                kind, forced = conn.execute("select relkind, relforcerowsecurity from pg_class where oid = %s::regclass",
                                            (f"public.{table}",)).fetchone()
                parts = conn.execute("select c.relrowsecurity and c.relforcerowsecurity and c.relacl is null"
                                     " from pg_inherits as h join pg_class as c on c.oid = h.inhrelid"
                                     " where h.inhparent = %s::regclass", (f"public.{table}",)).fetchall()
                assert kind == "p" and forced and len(parts) == 4 and all(p[0] for p in parts), table

        again = _cli(db, "--partitions", "4")
        assert again.returncode == 0 and "hash-partitioned" not in again.stderr, "a second run changes nothing"
        other = _cli(db, "--partitions", "8")
        assert other.returncode == 2 and "already hash-partitioned in 4 partitions, not 8" in other.stderr, other.stderr

        for who in people:
            with tg.connect(app) as conn, tg.acting_as(*who):
                graph = chat_graph(PostgresSaver(conn))
                seen = {str(c.thread_id) for c in tg.list_conversations(conn)}
                assert seen == set(threads[who])
                mine = {row["thread_id"] for row in conn.execute("select distinct thread_id from public.checkpoints")}
                assert mine == set(threads[who]), "the parent's policies hold"
                graph.invoke({"messages": ["after"]}, config(threads[who][0]))
                assert graph.get_state(config(threads[who][0])).values["messages"][-1] == "assistant: I heard 'after'"
        with psycopg.connect(app, autocommit=True) as conn:
            for table in TABLES:
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute(f"select count(*) from public.{table}_p0")

        # Retention keeps one checkpoint per thread: a row is named by its thread before its ctid,
        # which repeats across partitions; every thread still resumes with its whole state.
        with psycopg.connect(db, autocommit=True) as conn:
            conn.execute("select threadguard.set_retention(null, 3650, 1, 'one checkpoint')")
        kept = subprocess.run([sys.executable, "-m", "threadguard.cli", "retention", "--database", db],
                              capture_output=True, text=True, timeout=300)
        assert kept.returncode == 0, kept.stderr
        assert not kept.stdout.startswith("removed 0 idle conversation(s), 0 checkpoint(s)"), kept.stdout
        for who in people:
            with tg.connect(app) as conn, tg.acting_as(*who):
                graph = chat_graph(PostgresSaver(conn))
                for i, thread in enumerate(threads[who]):
                    said = ["hi", "assistant: I heard 'hi'"] + (["after", "assistant: I heard 'after'"] if i == 0 else [])
                    assert graph.get_state(config(thread)).values["messages"] == said, thread


def test_verify_names_a_partition_open_to_direct_reads() -> None:
    with fresh_database("tg_partition") as db:
        runner.migrate(db)
        assert _cli(db, "--partitions", "2").returncode == 0
        app_role = roles_of(db).app
        with psycopg.connect(db, autocommit=True) as conn:
            conn.execute(f'grant select on public.checkpoints_p1 to "{app_role}"')
            conn.execute("alter table public.checkpoint_blobs_p0 no force row level security")
        found = runner.verify(db)
        assert any(p.startswith("partition public.checkpoints_p1 of public.checkpoints: ") for p in found), found
        assert any(p.startswith("partition public.checkpoint_blobs_p0 of public.checkpoint_blobs: ") for p in found), found
        assert len(found) == 2, found


def test_the_saver_and_isolation_suites_pass_on_the_partitioned_layout() -> None:
    """LangGraph's conformance suite through the saver under threadguard (pool, connection, pipeline) and
    the two-tenant saver suite (state, history, list, delete_thread, writes, interrupts, pools): every
    migrated database of theirs partitioned in 4."""
    suites = ["test_conformance.py", "test_saver.py"]  # retention and erasure: pgTAP's operations/ on this layout (tests/run.sh)
    # The route to the server (direct or PgBouncer) does not meet the layout: the direct one is enough here.
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-k", "not pgbouncer", *suites],
                          cwd=Path(__file__).parent, env={**os.environ, "TG_TEST_PARTITIONS": "4"},
                          capture_output=True, text=True, timeout=900)
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert " passed" in summary and "skipped" not in summary and "failed" not in summary, summary


@pytest.mark.parametrize("persona", ["rds", "supabase"])
def test_a_managed_administrator_partitions_the_tables(persona: str) -> None:
    """As the database's owner with only LOGIN CREATEDB CREATEROLE (and what the service grants), no superuser."""
    from test_managed import managed_database

    with managed_database(persona) as db:
        runner.migrate(db.url)
        done = _cli(db.url, "--partitions", "2")
        assert done.returncode == 0, done.stderr
        assert runner.verify(db.url) == []
        with psycopg.connect(db.url) as conn:
            assert conn.execute("select relkind from pg_class where oid = 'public.checkpoints'::regclass").fetchone() == ("p",)


def test_what_someone_attached_to_the_tables_is_refused_before_anything_runs() -> None:
    """An index whose expression calls a function the former owner planted would run, as the owner role,
    for every copied row: the tables are partitioned only clean, as they are adopted."""
    with fresh_database("tg_partition") as db:
        runner.migrate(db)
        with psycopg.connect(db, autocommit=True) as conn:
            conn.execute("create function public.planted(text) returns text language sql immutable as 'select $1'")
            conn.execute("create index checkpoints_planted_idx on public.checkpoints (public.planted(checkpoint_ns))")
        refused = _cli(db, "--partitions", "2")
        assert refused.returncode == 1 and "checkpoints_planted_idx" in refused.stderr, refused.stderr
        with psycopg.connect(db) as conn:
            assert conn.execute("select relkind from pg_class where oid = 'public.checkpoints'::regclass").fetchone() == ("r",)
