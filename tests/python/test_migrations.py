"""Migrations on real databases: fresh, re-applied, one by one, rolled back, concurrent
runs, locks, and verify catching a database that lost its protection. Adopting a database
LangGraph's setup() already populated is tests/python/test_adoption.py."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time

import psycopg
import pytest
from dbtools import (
    APP_LOGIN,
    MIGRATION_IDS,
    ROOT,
    ensure_app_login,
    fresh_install_schema,
    pg_dump_mismatch,
    roles_of,
    schema_dump,
)
from langgraph.checkpoint.postgres import PostgresSaver
from psycopg import sql
from psycopg.rows import dict_row

import threadguard as tg
from threadguard import runner, session
from threadguard.paths import migrations_dir


def test_fresh_apply_then_verify_is_clean(empty_db: str) -> None:
    assert runner.migrate(empty_db) == MIGRATION_IDS
    assert runner.verify(empty_db) == []


def test_reapply_is_a_noop(empty_db: str) -> None:
    runner.migrate(empty_db)
    before = schema_dump(empty_db)
    assert runner.migrate(empty_db) == []
    assert schema_dump(empty_db) == before


def test_committed_schema_matches_a_fresh_install(empty_db: str) -> None:
    if reason := pg_dump_mismatch(empty_db):
        pytest.skip(f"schema.sql is pg_dump 15's text: {reason}")
    runner.migrate(empty_db)
    committed = (ROOT / "schema.sql").read_text(encoding="utf-8")
    assert schema_dump(empty_db) == committed, "schema.sql is stale: run `make schema` and commit it"


def test_one_by_one_and_rollback_reapply_give_the_same_schema(empty_db: str) -> None:
    for migration_id in MIGRATION_IDS:
        assert runner.migrate(empty_db, target=migration_id) == [migration_id]
    runner.migrate(empty_db)  # definitions, now that every migration is applied
    stepwise = schema_dump(empty_db)
    assert stepwise == fresh_install_schema(empty_db)

    assert runner.rollback(empty_db, all_migrations=True) == list(reversed(MIGRATION_IDS))
    assert runner.migrate(empty_db) == MIGRATION_IDS
    assert schema_dump(empty_db) == stepwise


def test_rollback_one_at_a_time_then_reapply(empty_db: str) -> None:
    runner.migrate(empty_db)
    expected = schema_dump(empty_db)
    for migration_id in reversed(MIGRATION_IDS):
        assert runner.rollback(empty_db) == [migration_id]
    assert [s.applied_at for s in runner.status(empty_db)] == [None] * len(MIGRATION_IDS)
    runner.migrate(empty_db)
    assert schema_dump(empty_db) == expected


def test_migration_files_are_append_only() -> None:
    """An applied migration is never edited: its checksum is recorded when it is added."""
    recorded = {}
    for line in (migrations_dir() / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, name = line.split()
        recorded[name] = digest
    actual = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(migrations_dir().glob("*.sql"))}
    assert actual == recorded, (
        "migrations/ changed: an applied migration must never be edited; add a new one "
        "(and append its checksum: sha256sum migrations/NEW*.sql >> migrations/SHA256SUMS)"
    )


def test_two_concurrent_migrate_runs(empty_db: str) -> None:
    command = [sys.executable, "-m", "threadguard.cli", "--database", empty_db, "migrate"]
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    second = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    results = [p.communicate(timeout=300) + (p.returncode,) for p in (first, second)]
    assert [code for _out, _err, code in results] == [0, 0], results
    outputs = sorted(out for out, _err, _code in results)
    assert outputs[0].startswith("applied 0 migration(s)"), outputs
    assert outputs[1].startswith(f"applied {len(MIGRATION_IDS)} migration(s)"), outputs
    assert runner.verify(empty_db) == []


@pytest.mark.parametrize("table", session.PROTECTED_TABLES)
def test_verify_fails_loudly_when_rls_is_disabled(migrated_db: str, table: str) -> None:
    with psycopg.connect(migrated_db) as conn:
        conn.execute(f"alter table {table} disable row level security")
        try:
            # verify reads through its own connection: commit, check, then restore.
            conn.commit()
            result = subprocess.run(
                [sys.executable, "-m", "threadguard.cli", "--database", migrated_db, "verify"],
                capture_output=True, text=True,
            )
        finally:
            conn.execute(f"alter table {table} enable row level security")
            conn.commit()
    assert result.returncode == 1
    assert f"row-level security is disabled on {table}" in result.stdout
    assert runner.verify(migrated_db) == []


def test_verify_reports_a_missing_policy(migrated_db: str) -> None:
    with psycopg.connect(migrated_db) as conn:
        conn.execute("drop policy checkpoint_writes_owner_select on public.checkpoint_writes")
        conn.commit()
        problems = runner.verify(migrated_db)
    assert "policy checkpoint_writes_owner_select on public.checkpoint_writes is missing (run `threadguard migrate`)" in problems
    assert runner.plan(migrated_db).definitions, "migrate must see that the definitions need applying"
    runner.migrate(migrated_db)
    assert runner.verify(migrated_db) == []


def test_app_setup_changes_nothing_and_names_migrate(app_db: str, migrated_db: str) -> None:
    """setup() through the binding: a no-op that succeeds at the schema version the saver expects;
    at another (a row of checkpoint_migrations gone, as if the saver were newer), the clear error."""
    before = schema_dump(migrated_db)
    with psycopg.connect(app_db, autocommit=True, prepare_threshold=0, row_factory=dict_row) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # a plain connection: PostgreSQL's own refusal
            PostgresSaver(conn).setup()
    for kwargs in ({}, {"prepare_threshold": 0}):
        with tg.connect(app_db, **kwargs) as conn:
            PostgresSaver(conn).setup()
            with conn.pipeline() as pipe:
                PostgresSaver(conn, pipe).setup()
    with psycopg.connect(migrated_db, autocommit=True) as conn:
        conn.execute("delete from public.checkpoint_migrations where v = 9")
    try:
        with tg.connect(app_db) as conn, pytest.raises(tg.SetupBelongsToMigrateError, match="threadguard migrate"):
            PostgresSaver(conn).setup()
    finally:
        with psycopg.connect(migrated_db, autocommit=True) as conn:
            conn.execute("insert into public.checkpoint_migrations (v) values (9)")
    assert schema_dump(migrated_db) == before


@pytest.mark.parametrize("statement", [
    "create function public.unnest(text[]) returns setof text language sql as 'select null::text'",
    "create aggregate public.array_agg(bytea[]) (sfunc = array_cat, stype = bytea[])",
    "create operator public.=== (leftarg = text, rightarg = text, function = texteq)",
    "create table public.planted (x int)",
    "create view public.planted_view as select 1",
    "create temporary table checkpoints (like public.checkpoints)",
    "create schema planted",
])
def test_the_application_role_creates_nothing(app_db: str, statement: str) -> None:
    """What an injected statement would plant for the DBA or for the next client of a
    pooled server session: refused, in public, in a schema of its own and in pg_temp."""
    with psycopg.connect(app_db, autocommit=True) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(statement)


def test_no_schema_grants_the_application_role_create(migrated_db: str) -> None:
    with psycopg.connect(migrated_db) as conn:
        creatable = conn.execute(
            "select n.nspname from pg_namespace n where pg_catalog.has_schema_privilege(%s, n.oid, 'CREATE')", (APP_LOGIN,)
        ).fetchall()
        temp = conn.execute("select pg_catalog.has_database_privilege(%s, current_database(), 'TEMP')", (APP_LOGIN,)).fetchone()[0]
    assert creatable == [] and temp is False


def test_verify_names_a_member_of_the_app_role_that_may_create(migrated_db: str) -> None:
    with psycopg.connect(migrated_db, autocommit=True) as conn:
        conn.execute(sql.SQL("grant create on schema public to {}").format(sql.Identifier(APP_LOGIN)))
        conn.execute(sql.SQL("grant temporary on database {} to {}").format(
            sql.Identifier(conn.info.dbname), sql.Identifier(APP_LOGIN)))
        try:
            problems = runner.verify(migrated_db)
        finally:
            conn.execute(sql.SQL("revoke create on schema public from {}").format(sql.Identifier(APP_LOGIN)))
            conn.execute(sql.SQL("revoke temporary on database {} from {}").format(
                sql.Identifier(conn.info.dbname), sql.Identifier(APP_LOGIN)))
    assert any(APP_LOGIN in p and "may create objects in schema public" in p for p in problems), problems
    assert any(APP_LOGIN in p and "temporary tables" in p for p in problems), problems
    assert runner.verify(migrated_db) == []


def _policy_oids(conninfo: str) -> list[int]:
    with psycopg.connect(conninfo) as conn:
        return [r[0] for r in conn.execute("select oid from pg_policy order by polname").fetchall()]


def test_migrate_with_nothing_to_do_takes_no_lock_on_the_tables(migrated_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A long reader holds checkpoints: a migrate with nothing pending finishes at once,
    and re-creates no policy (the definitions' digest is recorded and verify is clean)."""
    before = _policy_oids(migrated_db)
    with psycopg.connect(migrated_db) as reader:
        reader.execute("lock table public.checkpoints, public.checkpoint_blobs, public.checkpoint_writes,"
                       " threadguard.conversations in access share mode")
        assert runner.plan(migrated_db) == runner.Plan([], False)
        done = runner.migrate(migrated_db, locks=runner.Locks("200ms", 1))
        assert done == [] and not done.definitions
    assert _policy_oids(migrated_db) == before


def test_migrate_gives_up_on_a_held_lock_then_succeeds(migrated_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Definitions to apply while a long transaction holds checkpoints: migrate waits at most
    lock_timeout per attempt, gives up with a message naming the cause, changes nothing, and
    applies them once the lock is gone. A tampered policy counts as definitions to apply."""
    monkeypatch.setattr(runner.time, "sleep", lambda seconds: None)  # the back-off, not the lock wait
    with psycopg.connect(migrated_db, autocommit=True) as conn:
        conn.execute("alter policy checkpoints_owner_select on public.checkpoints using (true)")
    assert runner.plan(migrated_db).definitions
    with psycopg.connect(migrated_db) as reader:
        reader.execute("lock table public.checkpoints in access share mode")
        started = time.monotonic()
        with pytest.raises(runner.MigrationError, match="could not take its locks within 200ms, 2 times, and changed nothing"):
            runner.migrate(migrated_db, locks=runner.Locks("200ms", 2))
        assert time.monotonic() - started < 10
    with psycopg.connect(migrated_db) as conn:
        using = conn.execute("select pg_get_expr(polqual, polrelid) from pg_policy where polname = 'checkpoints_owner_select'").fetchone()[0]
    assert using == "true", "a migrate that gave up changed something"
    assert runner.migrate(migrated_db) == []
    assert runner.verify(migrated_db) == [] and runner.plan(migrated_db) == runner.Plan([], False)


def test_concurrent_migrates_apply_everything_once(empty_db: str) -> None:
    """Three migrates started together on a fresh database: one applies the migrations and the
    definitions; the others wait for its lock, then find both done and touch nothing."""
    runs = [subprocess.Popen([sys.executable, "-m", "threadguard.cli", "migrate", "--database", empty_db],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    outputs = sorted(run.communicate(timeout=300)[0].strip() for run in runs)
    assert all(run.returncode == 0 for run in runs), outputs
    assert outputs[:2] == ["applied 0 migration(s); sql/ definitions already current, not touched"] * 2, outputs
    assert outputs[2].startswith(f"applied {len(MIGRATION_IDS)} migration(s)") and outputs[2].endswith("; sql/ definitions applied")


def test_migrate_dry_run_changes_nothing(empty_db: str) -> None:
    done = subprocess.run([sys.executable, "-m", "threadguard.cli", "migrate", "--dry-run", "--database", empty_db],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"would apply {len(MIGRATION_IDS)} migration(s)" in done.stdout and "definitions would be applied" in done.stdout
    assert [s.applied_at for s in runner.status(empty_db)] == [None] * len(MIGRATION_IDS)


def test_a_held_migration_lock_is_named_not_waited_on_forever(migrated_db: str, app_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Any login may take an advisory lock: the application's login holding threadguard's makes
    migrate give up after its wait, naming that login, instead of hanging. (A migrate with nothing
    to do takes no lock at all: here a tampered policy gives it something to do.)"""
    monkeypatch.setattr(runner, "MIGRATE_LOCK_WAIT", "1s")
    with psycopg.connect(migrated_db, autocommit=True) as conn:
        conn.execute("alter policy checkpoints_owner_select on public.checkpoints using (true)")
    with psycopg.connect(app_db) as holder:
        holder.execute("select pg_advisory_xact_lock(%s, hashtext('threadguard_migrations'))", (0x7467,))
        with pytest.raises(runner.MigrationError, match=f"role {APP_LOGIN}, pid {holder.info.backend_pid}"):
            runner.migrate(migrated_db)
    assert runner.migrate(migrated_db).definitions and runner.verify(migrated_db) == []


def test_no_member_of_the_app_role_sees_the_window_before_0011(empty_db: str) -> None:
    """0003 lets the app role create in schema public until 0011 takes it back: migrate runs those
    migrations only while the role has no member (a fresh install's has none)."""
    runner.migrate(empty_db, target="0002_schema")
    ensure_app_login(empty_db)
    with pytest.raises(runner.MigrationError, match=f"has members \\({APP_LOGIN}\\)"):
        runner.migrate(empty_db)
    assert [s.id for s in runner.status(empty_db) if s.applied_at] == ["0001_roles", "0002_schema"]
    with psycopg.connect(empty_db, autocommit=True) as conn:
        conn.execute(sql.SQL("revoke {} from {}").format(sql.Identifier(roles_of(empty_db).app), sql.Identifier(APP_LOGIN)))
    assert runner.migrate(empty_db) == MIGRATION_IDS[2:]


def test_no_session_ever_sees_the_app_role_allowed_to_create(empty_db: str) -> None:
    """0003 grants the app role CREATE on public and 0011 revokes it: on a fresh install they
    commit as one transaction, so a session polling the catalog while migrate runs never sees
    the grant (it saw it on 1 of ~250 polls when they committed apart)."""
    import threading

    roles = runner.install_roles(empty_db)[1]
    done = threading.Event()
    seen: list[int] = []

    def migrating() -> None:
        try:
            runner.migrate(empty_db)
        finally:
            done.set()

    worker = threading.Thread(target=migrating)
    with psycopg.connect(empty_db, autocommit=True) as watcher:
        worker.start()
        polls = 0
        while not done.is_set():
            polls += 1
            if watcher.execute("select to_regrole(%s) is not null and has_schema_privilege(%s, 'public', 'CREATE')",
                               (roles.app, roles.app)).fetchone()[0]:
                seen.append(polls)
        worker.join()
    assert polls > 10 and not seen, f"the app role could create in public on {len(seen)} of {polls} polls (first: {seen[:1]})"
    assert runner.verify(empty_db) == []


def _count_connections(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """From now on, every psycopg.connect of this process is listed (its conninfo) in the list returned."""
    opened: list[str] = []
    real = psycopg.connect

    def counting(*args: object, **kwargs: object) -> object:
        opened.append(str(args[0]) if args else "")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(psycopg, "connect", counting)
    return opened


def test_a_migrate_with_nothing_to_do_opens_one_connection(migrated_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every migration applied and the definitions intact: migrate reads that on one connection
    (no yoyo backend, no lock, no second verify) and changes nothing."""
    opened = _count_connections(monkeypatch)
    done = runner.migrate(migrated_db)
    assert done == [] and not done.definitions
    assert len(opened) == 1, opened


def test_a_fresh_install_opens_three_connections(empty_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fresh install: migrate's own reads and the definitions share one connection; yoyo holds
    its lock on a second and applies the migrations, together, on a third."""
    opened = _count_connections(monkeypatch)
    assert runner.migrate(empty_db) == MIGRATION_IDS
    assert len(opened) == 3, opened
    monkeypatch.undo()
    assert runner.verify(empty_db) == []
