"""Operator commands on a throwaway database, as an operator's login (granted
threadguard_admin, not a superuser): erasure of a 10,000-conversation tenant in
bounded batches within PostgreSQL's default lock limits, proven complete, audited,
and a second run that finds nothing."""

from __future__ import annotations

import subprocess
import sys
import uuid

import psycopg
from dbtools import admin_conninfo
from psycopg import sql
from psycopg.conninfo import make_conninfo


def _operator_login(conninfo: str) -> str:
    login = "threadguard_test_operator"
    with psycopg.connect(admin_conninfo(), autocommit=True) as conn:
        if not conn.execute("select 1 from pg_roles where rolname = %s", (login,)).fetchone():
            conn.execute(sql.SQL("create role {} login password 'operator'").format(sql.Identifier(login)))
        conn.execute(sql.SQL("grant threadguard_admin to {}").format(sql.Identifier(login)))
    return make_conninfo(conninfo, user=login, password="operator")


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
    operator = _operator_login(migrated_db)
    command = [sys.executable, "-m", "threadguard.cli", "erase", "--database", operator, "--tenant", str(doomed),
               "--reason", "tenant closed its account", "--batch-size", "1000"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "10,000 conversation(s) erased, 0 left" in done.stderr
    assert done.stdout.strip() == "left: 0 conversation(s), 0 checkpoint(s), 0 blob(s), 0 write(s)"
    again = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0 and "0 conversation(s) erased, 0 left" in again.stderr
    with psycopg.connect(migrated_db) as conn:
        assert conn.execute("select count(*) from threadguard.conversations where tenant_id = %s", (kept,)).fetchone()[0] == 3
        assert conn.execute("select count(*) from public.checkpoint_writes where threadguard_tenant_id = %s", (kept,)).fetchone()[0] == 3
        audit = conn.execute("select action, actor, row_count from threadguard.audit_log where tenant_id = %s order by id",
                             (doomed,)).fetchall()
    erases = [r for r in audit if r[0] == "erase"]
    assert sum(r[2] for r in erases) == 10_000 and len(erases) == 11, "ten batches of 1,000, then the second run's empty one"
    assert {r[1] for r in audit} == {"threadguard_test_operator"}
