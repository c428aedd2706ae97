"""Adoption: threadguard installed on a database where LangGraph's setup() already made its
tables and the application wrote threads. Every row is kept, the threads await owners and are
assigned in resumable batches, what anyone else attached to the tables is refused, an unknown
LangGraph schema is refused, and a rollback gives the tables their grants back."""

from __future__ import annotations

import subprocess
import sys
import uuid

import psycopg
import pytest
from dbtools import (
    APP_LOGIN,
    MIGRATION_IDS,
    app_conninfo,
    count_rows,
    ensure_app_login,
    fresh_install_schema,
    legacy_login,
    roles_of,
    schema_dump,
    thread_rows,
)
from langgraph.checkpoint.postgres import PostgresSaver
from psycopg import sql
from psycopg.rows import dict_row

import threadguard as tg
from threadguard import adoption, runner
from threadguard.demo import chat_graph, config


def _langgraph_app_database(empty_db: str) -> tuple[str, list[str]]:
    """A database where the application's own login role ran PostgresSaver.setup()
    and wrote checkpoints: what a running deployment looks like before threadguard."""
    owner, legacy = legacy_login(empty_db)
    threads = [str(uuid.uuid4()) for _ in range(3)]
    with psycopg.connect(legacy, autocommit=True, prepare_threshold=0, row_factory=dict_row) as conn:
        saver = PostgresSaver(conn)
        saver.setup()
        _write_checkpoints(saver, threads)
    return owner, threads


def _write_checkpoints(saver: PostgresSaver, threads: list[str]) -> None:
    graph = chat_graph(saver)
    for thread in threads:
        graph.invoke({"messages": ["hi"]}, config(thread))


def test_adopting_a_langgraph_database_keeps_every_row(empty_db: str) -> None:
    legacy_owner, threads = _langgraph_app_database(empty_db)
    tables = ("public.checkpoints", "public.checkpoint_blobs", "public.checkpoint_writes")
    before = {t: count_rows(empty_db, t) for t in tables}
    assert before["public.checkpoints"] > 0 and before["public.checkpoint_blobs"] > 0

    assert runner.migrate(empty_db) == MIGRATION_IDS
    assert runner.verify(empty_db) == ["public.checkpoints: 3 LangGraph thread(s) have checkpoints nobody owns (written before adoption): no identity "
                                       "can read them (give them owners: threadguard adopt --owners \"select thread_id, tenant_id, "
                                       "user_id[, title] from <your records>\" (a thread id that is not a canonical uuid cannot become a conversation: "
                                       "delete its rows))"]
    assert {t: count_rows(empty_db, t) for t in tables} == before

    with psycopg.connect(empty_db) as conn:
        owners = {r[0] for r in conn.execute(
            "select pg_get_userbyid(relowner) from pg_class where oid = any(%s::regclass[])", (list(tables),))}
    assert owners == {roles_of(empty_db).owner}, "the legacy owner must no longer own (and so bypass RLS on) the tables"

    # Adopted rows have no owner yet: no context, not even the old owner's, sees them.
    ensure_app_login(empty_db)
    tenant, user = uuid.uuid4(), uuid.uuid4()
    with psycopg.connect(app_conninfo(empty_db)) as conn:
        conn.execute("select set_config('app.tenant_id', %s, false), set_config('app.user_id', %s, false)",
                     (str(tenant), str(user)))
        assert conn.execute("select count(*) from public.checkpoints").fetchone()[0] == 0
        # Only a role that bypasses RLS may hand threads out.
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("select threadguard.assign_thread(%s, %s, %s)", (threads[0], tenant, user))

    # The DBA gives one thread to its user: every row of it, and nothing else.
    with psycopg.connect(empty_db, autocommit=True) as conn:
        rows = thread_rows(empty_db, threads[0])
        assert conn.execute("select threadguard.assign_thread(%s, %s, %s, 'adopted')",
                            (threads[0], tenant, user)).fetchone()[0] == rows > 0
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute("select threadguard.assign_thread(%s, %s, %s)", (threads[0], tenant, user))
        with pytest.raises(psycopg.errors.InvalidParameterValue):
            conn.execute("select threadguard.assign_thread(%s, %s, %s)", (threads[1].upper(), tenant, user))
    with tg.connect(app_conninfo(empty_db)) as conn, tg.acting_as(tenant, user):
        assert [c.title for c in tg.list_conversations(conn)] == ["adopted"]
        saver = PostgresSaver(conn)
        assert saver.get_tuple(config(threads[0])) is not None, "the assigned thread is its owner's again"
        assert saver.get_tuple(config(threads[1])) is None, "the other threads stay unowned"
        chat_graph(saver).invoke({"messages": ["after adoption"]}, config(threads[0]))  # and it can go on
    with tg.connect(app_conninfo(empty_db)) as conn, tg.acting_as(uuid.uuid4(), user):
        assert PostgresSaver(conn).get_tuple(config(threads[0])) is None, "another tenant does not see it"
        # Nor can it squat a thread that awaits adoption: the id is taken, as if by a conversation.
        with pytest.raises(psycopg.errors.UniqueViolation, match="already exists"):
            tg.create_conversation(conn, "squatter", threads[1])
    assert thread_rows(empty_db, threads[1]) > 0
    before = {t: count_rows(empty_db, t) for t in tables}  # the adopted thread went on: rollback must keep that too

    # Fresh install equals adoption, structurally (once the test's own grant to
    # the legacy role, which threadguard leaves alone, is taken back).
    with psycopg.connect(empty_db) as conn:
        conn.execute(sql.SQL("revoke create on schema public from {}").format(sql.Identifier(legacy_owner)))
    assert schema_dump(empty_db) == fresh_install_schema(empty_db)

    # Rolling back hands the tables back to their previous owner and keeps the rows.
    runner.rollback(empty_db, all_migrations=True)
    assert {t: count_rows(empty_db, t) for t in tables} == before
    with psycopg.connect(empty_db) as conn:
        owners = {r[0] for r in conn.execute(
            "select pg_get_userbyid(relowner) from pg_class where oid = any(%s::regclass[])", (list(tables),))}
        columns = conn.execute("select count(*) from pg_attribute where attname like 'threadguard%%' and not attisdropped").fetchone()[0]
    assert owners == {legacy_owner}
    assert columns == 0


def test_unknown_langgraph_schema_version_is_refused(empty_db: str) -> None:
    with psycopg.connect(empty_db) as conn:
        conn.execute("create table public.checkpoint_migrations (v integer primary key)")
        conn.execute("insert into public.checkpoint_migrations select generate_series(0, 12)")
    with pytest.raises(runner.MigrationError) as caught:
        runner.migrate(empty_db)
    message = str(caught.value)
    assert "0003_langgraph_tables" in message and "version 12" in message and "HINT" in message
    applied = [s.id for s in runner.status(empty_db) if s.applied_at]
    assert applied == ["0001_roles", "0002_schema"], "the failed migration left nothing behind"


def test_tables_without_version_table_are_refused(empty_db: str) -> None:
    with psycopg.connect(empty_db) as conn:
        conn.execute("create table public.checkpoints (thread_id text)")
    with pytest.raises(runner.MigrationError, match="no public.checkpoint_migrations"):
        runner.migrate(empty_db)


def test_upgrade_from_the_write_claims_design_keeps_owned_rows_and_drops_orphans(empty_db: str) -> None:
    """A database at 0008 (before the ownership keys) with a conversation's rows, an
    unowned pre-adoption row and a row stamped with an owner that has no conversation
    of its thread (what a deletion racing a write could leave): migrating keeps the
    first two, deletes the orphan, validates the keys, and leaves verify only the unowned thread to count."""
    runner.migrate(empty_db, target="0008_require_context_returns_identity")
    owned, orphan, unowned = (str(uuid.uuid4()) for _ in range(3))
    tenant, user = uuid.uuid4(), uuid.uuid4()
    with psycopg.connect(empty_db) as conn:
        conn.execute("insert into threadguard.conversations (id, tenant_id, user_id) values (%s, %s, %s)", (owned, tenant, user))
        for thread, stamps in ((owned, (tenant, user)), (orphan, (tenant, user)), (unowned, (None, None))):
            conn.execute(
                "insert into public.checkpoints (thread_id, checkpoint_id, checkpoint, threadguard_tenant_id, threadguard_user_id)"
                " values (%s, 'c1', '{}', %s, %s)", (thread, *stamps))
    assert runner.migrate(empty_db)[:2] == ["0009_ownership_constraint", "0010_validate_ownership"]
    problems = runner.verify(empty_db)
    assert len(problems) == 1 and "1 LangGraph thread(s) have checkpoints nobody owns" in problems[0], problems
    assert (thread_rows(empty_db, owned), thread_rows(empty_db, orphan), thread_rows(empty_db, unowned)) == (1, 0, 1)
    with psycopg.connect(empty_db) as conn:
        assert conn.execute("select count(*) from pg_constraint where conname like '%%_thread_owner_fkey' and convalidated").fetchone()[0] == 3
        conn.execute("delete from threadguard.conversations where id = %s", (owned,))
    assert thread_rows(empty_db, owned) == 0, "the keys cascade on a database that was upgraded"


def test_adoption_is_announced_and_verify_counts_what_nobody_owns(empty_db: str) -> None:
    """migrate --dry-run and migrate say that LangGraph's tables are adopted and how many threads
    then belong to nobody; verify counts them until `threadguard adopt` gives them owners."""
    _, threads = _langgraph_app_database(empty_db)

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "threadguard.cli", *args, "--database", empty_db],
                              capture_output=True, text=True, timeout=300)

    dry = cli("migrate", "--dry-run")
    assert dry.returncode == 0 and "would adopt LangGraph's tables: 3 thread(s), every row kept" in dry.stdout, dry.stdout
    done = cli("migrate")
    assert done.returncode == 0 and "adopted LangGraph's tables: 3 thread(s) belong to nobody" in done.stdout, done.stdout
    checked = cli("verify")
    assert checked.returncode == 1 and "3 LangGraph thread(s) have checkpoints nobody owns" in checked.stdout, checked.stdout
    owners = " union all ".join(f"select '{t}', '{uuid.uuid4()}'::uuid, '{uuid.uuid4()}'::uuid" for t in threads)
    assert cli("adopt", "--owners", owners).returncode == 0
    assert cli("verify").stdout.strip() == "threadguard verify: ok"
    assert "adopted LangGraph's tables" not in cli("migrate").stdout


def test_the_dbas_commands_do_not_run_what_the_application_planted(empty_db: str) -> None:
    """A DBA once granted the app's login CREATE on public; the login planted functions that
    make it a superuser when a superuser's session resolves them. verify, status, migrate,
    rollback --all and migrate again, all as a superuser, leave it an ordinary login."""
    runner.migrate(empty_db)
    ensure_app_login(empty_db)
    with psycopg.connect(empty_db, autocommit=True) as conn:
        conn.execute(sql.SQL("grant create on schema public to {}").format(sql.Identifier(APP_LOGIN)))
    promote = f"alter role {APP_LOGIN} superuser"
    with psycopg.connect(app_conninfo(empty_db), autocommit=True) as app:
        app.execute(f"create function public.unnest(text[]) returns setof text language sql as $$ {promote}; select null::text $$")
        app.execute(f"create function public.format(text, text) returns text language sql as $$ {promote}; select $1 $$")
        app.execute(f"create function public.format(text, name) returns text language sql as $$ {promote}; select $1 $$")
        app.execute(f"create function public.max(integer) returns integer language sql as $$ {promote}; select $1 $$")
    try:
        runner.verify(empty_db)
        runner.status(empty_db)
        runner.plan(empty_db)
        runner.migrate(empty_db)
        runner.rollback(empty_db, all_migrations=True)
        runner.migrate(empty_db)
        with psycopg.connect(empty_db) as conn:
            assert conn.execute("select rolsuper from pg_roles where rolname = %s", (APP_LOGIN,)).fetchone() == (False,)
    finally:
        with psycopg.connect(empty_db, autocommit=True) as conn:
            conn.execute(sql.SQL("alter role {} nosuperuser").format(sql.Identifier(APP_LOGIN)))
            conn.execute("drop function if exists public.unnest(text[]), public.format(text, text), public.format(text, name), public.max(integer)")


def test_adopt_in_batches_interrupted_and_resumed(empty_db: str) -> None:
    """A populated LangGraph database adopted through `threadguard adopt`: interrupted after
    its first batch, run again, it ends with every row kept and every thread owned; a thread
    id that cannot become a conversation is listed, not lost."""
    _legacy_owner, threads = _langgraph_app_database(empty_db)
    with psycopg.connect(empty_db, autocommit=True, prepare_threshold=0, row_factory=dict_row) as conn:
        _write_checkpoints(PostgresSaver(conn), ["not-a-uuid-thread"])
    tables = ("public.checkpoints", "public.checkpoint_blobs", "public.checkpoint_writes")
    runner.migrate(empty_db)
    ensure_app_login(empty_db)
    before = {t: count_rows(empty_db, t) for t in tables}
    owners = {t: (uuid.uuid4(), uuid.uuid4()) for t in [*threads, "not-a-uuid-thread"]}
    owners_sql = "select * from (values " + ", ".join(
        f"('{t}', '{tenant}'::uuid, '{user}'::uuid, 'adopted')" for t, (tenant, user) in owners.items()) + ") as o(thread_id, tenant_id, user_id, title)"

    class Interrupted(Exception):
        pass

    def stop_after_first_batch(done: adoption.Adoption, total: int) -> None:
        assert total == len(owners)
        raise Interrupted

    with pytest.raises(Interrupted):
        adoption.adopt(empty_db, owners_sql, batch_size=1, progress=stop_after_first_batch)
    with psycopg.connect(empty_db) as conn:
        assert conn.execute("select count(*) from threadguard.conversations").fetchone()[0] == 1, "the first batch committed"

    done = subprocess.run([sys.executable, "-m", "threadguard.cli", "adopt", "--database", empty_db, "--owners", owners_sql,
                           "--batch-size", "2"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "not a canonical lower-case uuid, or its owner is not a valid pair of uuids): not-a-uuid-thread" in done.stdout
    assert f"adopted {len(threads) - 1} thread(s)" in done.stdout and "1 already had a conversation" in done.stdout
    assert "1 LangGraph thread(s) still have no owner" in done.stdout
    assert {t: count_rows(empty_db, t) for t in tables} == before, "adoption lost or added rows"
    with psycopg.connect(empty_db) as conn:
        assert conn.execute("select count(*) from threadguard.audit_log where action = 'assign_thread'").fetchone()[0] == len(threads)
    for thread in threads:
        tenant, user = owners[thread]
        with tg.connect(app_conninfo(empty_db)) as conn, tg.acting_as(tenant, user):
            assert PostgresSaver(conn).get_tuple(config(thread)) is not None, "an adopted thread is its owner's"
    problems = runner.verify(empty_db)  # the thread that cannot become a conversation is still nobody's
    assert len(problems) == 1 and "1 LangGraph thread(s) have checkpoints nobody owns" in problems[0], problems


def test_rollback_gives_adopted_tables_their_grants_back(empty_db: str) -> None:
    legacy_owner, _threads = _langgraph_app_database(empty_db)
    reporting = f"tg_reporting_{uuid.uuid4().hex[:8]}"
    legacy = psycopg.conninfo.make_conninfo(empty_db, user=legacy_owner, password="legacy")
    with psycopg.connect(empty_db, autocommit=True) as conn:
        conn.execute(sql.SQL("create role {}").format(sql.Identifier(reporting)))
    with psycopg.connect(legacy, autocommit=True) as conn:
        conn.execute(sql.SQL("grant select on public.checkpoints, public.checkpoint_blobs to {}").format(sql.Identifier(reporting)))

    def can_read() -> list[bool]:
        with psycopg.connect(empty_db) as conn:
            return [conn.execute("select has_table_privilege(%s, %s, 'SELECT')", (reporting, t)).fetchone()[0]
                    for t in ("public.checkpoints", "public.checkpoint_blobs", "public.checkpoint_writes")]

    try:
        assert can_read() == [True, True, False]
        runner.migrate(empty_db)
        assert can_read() == [False, False, False], "adoption keeps nobody's grants"
        runner.rollback(empty_db, all_migrations=True)
        assert can_read() == [True, True, False], "rollback gave the grants back"
    finally:
        with psycopg.connect(empty_db, autocommit=True) as conn:
            conn.execute(sql.SQL("drop owned by {}").format(sql.Identifier(reporting)))
            conn.execute(sql.SQL("drop role {}").format(sql.Identifier(reporting)))
