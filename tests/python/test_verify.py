"""`threadguard verify` checks meaning, not names: each change below keeps every name
threadguard looks for, and verify still names the problem (then migrate, or dropping
the foreign object, makes it clean again)."""

from __future__ import annotations

import psycopg
import pytest

from threadguard import runner

CHANGES = {
    "a policy made `using (true)`, same name": (
        "alter policy checkpoints_owner_select on public.checkpoints using (true)",
        "policy checkpoints_owner_select on public.checkpoints was changed", None),
    "a write policy's check dropped": (
        "alter policy checkpoint_writes_owner_insert on public.checkpoint_writes with check (true)",
        "policy checkpoint_writes_owner_insert on public.checkpoint_writes was changed", None),
    "a column default pointing elsewhere": (
        "alter table public.checkpoint_blobs alter column threadguard_tenant_id set default '00000000-0000-0000-0000-000000000001'",
        "column public.checkpoint_blobs.threadguard_tenant_id was changed", None),
    "a grant to PUBLIC": (
        "grant select on public.checkpoints to public",
        "table public.checkpoints was changed", None),
    "a function body replaced": (
        "create or replace function threadguard.thread_uuid(p_thread_id text) returns uuid language sql immutable strict"
        " parallel safe as $$ select null::uuid $$",
        "function threadguard.thread_uuid(text) was changed", None),
    "a foreign trigger": (
        "create function public.tap() returns trigger language plpgsql as $$ begin return new; end $$;"
        " create trigger tap after insert on public.checkpoint_writes for each row execute function public.tap()",
        "trigger tap on public.checkpoint_writes is not threadguard's",
        "drop trigger tap on public.checkpoint_writes; drop function public.tap()"),
    "a rule": (
        "create rule tap as on delete to public.checkpoints do also notify tap",
        "rule tap on public.checkpoints is not threadguard's", "drop rule tap on public.checkpoints"),
    "an unprotected copy of a LangGraph table": (
        "create table public.checkpoints_backup as select * from public.checkpoints",
        "public.checkpoints_backup looks like a LangGraph table", "drop table public.checkpoints_backup"),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_verify_names_the_problem(migrated_db: str, change: str) -> None:
    statement, expected, undo = CHANGES[change]
    assert runner.verify(migrated_db) == []
    with psycopg.connect(migrated_db, autocommit=True) as conn:
        conn.execute(statement)
    problems = runner.verify(migrated_db)
    assert any(expected in p for p in problems), problems
    if undo:
        with psycopg.connect(migrated_db, autocommit=True) as conn:
            conn.execute(undo)
    else:
        runner.migrate(migrated_db)
    assert runner.verify(migrated_db) == []


def test_verify_changes_nothing(migrated_db: str) -> None:
    """verify runs in read-only transactions: with every transaction of its sessions forced read-only,
    it still finds nothing wrong (a write would fail and be reported). (Counting the cluster's xids
    instead is flaky: autovacuum's ANALYZE takes some.)"""
    from psycopg.conninfo import make_conninfo

    read_only = make_conninfo(migrated_db, options="-c default_transaction_read_only=on")
    assert runner.verify(read_only) == []


@pytest.mark.parametrize("grant, expected", [
    ("alter role {login} superuser", "a member of threadguard_app, is a superuser"),
    ("alter role {login} bypassrls", "a member of threadguard_app, has BYPASSRLS"),
    ("grant create on database {db} to {login}", "a member of threadguard_app, may create schemas"),
    ("alter schema public owner to {login}", "a member of threadguard_app, owns schema public"),
    ("grant threadguard_owner to {login}", "is a member of threadguard_owner"),
])
def test_verify_names_a_dangerous_application_login(migrated_db: str, grant: str, expected: str) -> None:
    from dbtools import APP_LOGIN, roles_of
    from psycopg import sql

    roles = roles_of(migrated_db)
    grant, expected = roles.substitute(grant), roles.substitute(expected)
    with psycopg.connect(migrated_db, autocommit=True) as conn:
        db = conn.info.dbname
        conn.execute(sql.SQL(grant.format(login="{login}", db="{db}")).format(login=sql.Identifier(APP_LOGIN), db=sql.Identifier(db)))
        try:
            problems = runner.verify(migrated_db)
        finally:
            for undo in ("alter role {login} nosuperuser nobypassrls", "revoke create on database {db} from {login}",
                         "alter schema public owner to pg_database_owner", "revoke threadguard_owner from {login}"):
                conn.execute(sql.SQL(roles.substitute(undo)).format(login=sql.Identifier(APP_LOGIN), db=sql.Identifier(db)))
    assert any(APP_LOGIN in p and expected in p for p in problems), problems
    assert runner.verify(migrated_db) == []


def test_verify_names_what_an_application_login_planted_or_set(migrated_db: str) -> None:
    """Through a grant it should never have had (or a migration window), the application's login
    planted an aggregate in public that LangGraph's reads would resolve, and persisted a setting
    for its future sessions: verify names both, with their fixes; the operator role's members too."""
    from dbtools import APP_LOGIN, app_conninfo
    from psycopg import sql

    with psycopg.connect(migrated_db, autocommit=True) as conn:
        conn.execute(sql.SQL("grant create on schema public to {}").format(sql.Identifier(APP_LOGIN)))
    try:
        with psycopg.connect(app_conninfo(migrated_db), autocommit=True) as app:
            app.execute("create aggregate public.array_agg(bytea[]) (sfunc = array_cat, stype = bytea[])")
            app.execute(sql.SQL("alter role {} set search_path = public").format(sql.Identifier(APP_LOGIN)))
    finally:
        with psycopg.connect(migrated_db, autocommit=True) as conn:
            conn.execute(sql.SQL("revoke create on schema public from {}").format(sql.Identifier(APP_LOGIN)))
    with psycopg.connect(migrated_db, autocommit=True) as conn:
        operator = conn.execute("select pg_get_userbyid(nspowner) from pg_namespace where nspname = 'threadguard'").fetchone()[0]
        conn.execute(sql.SQL("grant {} to {}").format(sql.Identifier(operator.replace("_owner", "_operator")), sql.Identifier(APP_LOGIN)))
        try:
            problems = runner.verify(migrated_db)
        finally:
            conn.execute("drop aggregate public.array_agg(bytea[])")
            conn.execute(sql.SQL("alter role {} reset all").format(sql.Identifier(APP_LOGIN)))
            conn.execute(sql.SQL("revoke {} from {}").format(sql.Identifier(operator.replace("_owner", "_operator")), sql.Identifier(APP_LOGIN)))
    assert any(f"aggregate public.array_agg(bytea[]) is owned by {APP_LOGIN}" in p and "drop aggregate" in p for p in problems), problems
    assert any(f"{APP_LOGIN}, a member of" in p and "search_path=public" in p and "reset all" in p for p in problems), problems
    assert any(f"{APP_LOGIN} is a member of" in p and "_operator, whose policies reach every tenant" in p for p in problems), problems
    assert runner.verify(migrated_db) == []


def test_verify_on_a_partly_migrated_database_says_run_migrate(empty_db: str) -> None:
    runner.migrate(empty_db, target="0004_conversations")
    problems = runner.verify(empty_db)
    assert len(problems) == 1 and problems[0].startswith("migrations not applied: 0005_checkpoint_owner_columns")
