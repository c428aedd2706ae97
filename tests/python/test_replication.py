"""Row-level security and PostgreSQL's replication (issue #24, item 2): a real publication and a
real subscription between two databases of the test cluster. A subscriber connecting as a role
without BYPASSRLS copies none of a protected table's rows and reports success; verify names the
publication (with the replication logins that would read it so), the subscription writing into a
protected table, and every role that bypasses RLS here besides the administrator."""

from __future__ import annotations

import secrets
import time
import uuid

import psycopg
import pytest
from dbtools import admin_conninfo, fresh_database
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from threadguard import runner


def _wal_level() -> str:
    with psycopg.connect(admin_conninfo()) as conn:
        return str(conn.execute("show wal_level").fetchone()[0])  # type: ignore[index]


def test_a_subscriber_without_bypassrls_copies_nothing_and_verify_names_it_all() -> None:
    if _wal_level() != "logical":
        pytest.skip("needs wal_level=logical (tests/with_db.sh starts its cluster so; DATABASE_URL's server is not)")
    login, suffix = f"tg_repl_{secrets.token_hex(3)}", secrets.token_hex(3)
    with fresh_database("tg_pub") as source, fresh_database("tg_sub") as target, \
            psycopg.connect(admin_conninfo(), autocommit=True) as admin:
        runner.migrate(source)
        runner.migrate(target)
        admin.execute(sql.SQL("create role {} login replication").format(sql.Identifier(login)))
        try:
            with psycopg.connect(source, autocommit=True) as src:
                src.execute("insert into threadguard.conversations (tenant_id, user_id, title)"
                            " select gen_random_uuid(), gen_random_uuid(), 'c' || i from generate_series(1, 3) as i")
                src.execute(sql.SQL("grant connect on database {} to {}").format(sql.Identifier(src.info.dbname), sql.Identifier(login)))
                # What a DBA grants a replication login (and, once its copy fails with "permission denied for
                # view context", the view the policies read): then nothing fails any more.
                src.execute(sql.SQL("grant usage on schema threadguard to {0}; grant select on threadguard.conversations, "
                                    "threadguard.context to {0}").format(sql.Identifier(login)))
                src.execute(f"create publication tg_pub_{suffix} for table threadguard.conversations")
                src.execute("select pg_create_logical_replication_slot(%s, 'pgoutput')", (f"tg_slot_{suffix}",))
            problems = runner.verify(source)
            assert any(f"publication tg_pub_{suffix} ships every tenant's rows of threadguard.conversations" in p
                       and login in p for p in problems), problems

            params = conninfo_to_dict(source)
            remote = " ".join(f"{k}={v}" for k, v in {**params, "user": login}.items() if k in ("host", "port", "dbname", "user"))
            with psycopg.connect(target, autocommit=True) as dst:
                # PostgreSQL 16+ applies changes as each table's owner by default, and refuses loudly to replicate
                # into a table with RLS ("cannot replicate into relation with row-level security enabled");
                # run_as_owner (the subscription's owner, a superuser here) is the setting that gets past it, and
                # what PostgreSQL 14-15 always do: the source side's silent loss is what this test shows.
                run_as_owner = sql.SQL(", run_as_owner = true") if dst.info.server_version >= 160000 else sql.SQL("")
                dst.execute(sql.SQL("create subscription {} connection {} publication {} with (create_slot = false, slot_name = {}{})").format(
                    sql.Identifier(f"tg_sub_{suffix}"), sql.Literal(remote), sql.Identifier(f"tg_pub_{suffix}"),
                    sql.Literal(f"tg_slot_{suffix}"), run_as_owner))
                try:
                    deadline = time.monotonic() + 60
                    # The initial copy runs in the background: wait for the table to be marked ready.
                    while dst.execute("select srsubstate from pg_subscription_rel").fetchone() not in (("r",), ("s",)):
                        assert time.monotonic() < deadline, "the subscription's initial copy never finished"
                        dst.execute("select pg_sleep(0.05)")
                    with psycopg.connect(source) as src:
                        assert src.execute("select count(*) from threadguard.conversations").fetchone() == (3,)
                    assert dst.execute("select count(*) from threadguard.conversations").fetchone() == (0,), \
                        "the copy read past RLS: this test no longer shows the loss"
                    problems = runner.verify(target)
                    assert any(f"subscription tg_sub_{suffix} writes into threadguard.conversations" in p for p in problems), problems
                finally:
                    dst.execute(sql.SQL("alter subscription {} disable").format(sql.Identifier(f"tg_sub_{suffix}")))
                    dst.execute(sql.SQL("drop subscription {}").format(sql.Identifier(f"tg_sub_{suffix}")))
        finally:
            with psycopg.connect(source, autocommit=True) as src:
                src.execute("select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = %s",
                            (f"tg_slot_{suffix}",))
                src.execute(sql.SQL("drop owned by {}").format(sql.Identifier(login)))
            admin.execute(sql.SQL("drop role {}").format(sql.Identifier(login)))


def test_verify_lists_the_roles_that_bypass_rls_here(migrated_db: str) -> None:
    reader = f"tg_reader_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(migrated_db, autocommit=True) as conn:
        conn.execute(sql.SQL("create role {} login bypassrls").format(sql.Identifier(reader)))
        try:
            assert not any(reader in p for p in runner.verify(migrated_db)), "a role that cannot connect here reads nothing here"
            conn.execute(sql.SQL("grant connect on database {} to {}").format(sql.Identifier(conn.info.dbname), sql.Identifier(reader)))
            problems = runner.verify(migrated_db)
            assert any(f"role {reader} has BYPASSRLS: it reads and writes every tenant's rows" in p for p in problems), problems
            conn.execute(sql.SQL("revoke connect on database {} from {}").format(sql.Identifier(conn.info.dbname), sql.Identifier(reader)))
        finally:
            conn.execute(sql.SQL("drop role {}").format(sql.Identifier(reader)))
    assert runner.verify(migrated_db) == []


def test_verify_names_a_publication_of_every_table(migrated_db: str) -> None:
    with psycopg.connect(migrated_db, autocommit=True) as conn:
        conn.execute("create publication tg_everything for all tables")
        try:
            problems = runner.verify(migrated_db)
        finally:
            conn.execute("drop publication tg_everything")
    for table in ("public.checkpoints", "public.checkpoint_blobs", "public.checkpoint_writes", "public.store", "threadguard.conversations"):
        assert any(f"publication tg_everything ships every tenant's rows of {table}" in p for p in problems), (table, problems)
    assert runner.verify(migrated_db) == []
