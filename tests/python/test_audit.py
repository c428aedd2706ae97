"""Audits the audited cannot undo: a support access opens reads only once the transaction that
opened it committed, and every audit row also reaches the server log as it is written, where
neither a rollback nor a savepoint rollback takes it back (0019, sql/policies/audit_log.sql)."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
from dbtools import admin_conninfo, operator_conninfo, roles_of
from psycopg import sql
from psycopg.conninfo import make_conninfo

import threadguard as tg

SUPPORT_LOGIN = "threadguard_test_support"


def support_conninfo(conninfo: str) -> str:
    """A login granted the database's support role, as conninfo to it."""
    with psycopg.connect(admin_conninfo(), autocommit=True) as conn:
        if not conn.execute("select 1 from pg_roles where rolname = %s", (SUPPORT_LOGIN,)).fetchone():
            conn.execute(sql.SQL("create role {} login password 'support'").format(sql.Identifier(SUPPORT_LOGIN)))
        conn.execute(sql.SQL("grant {} to {}").format(sql.Identifier(roles_of(conninfo).support), sql.Identifier(SUPPORT_LOGIN)))
    return make_conninfo(conninfo, user=SUPPORT_LOGIN, password="support")


@contextmanager
def logged() -> Iterator[list[dict[str, Any]]]:
    """The audit lines the server logs while the block runs (tests/with_db.sh's cluster)."""
    path = os.environ.get("TG_SERVER_LOG")
    if not path:
        pytest.skip("the server's log is not readable here: run through tests/with_db.sh (make test), which sets TG_SERVER_LOG")
    log = Path(path)
    start = log.stat().st_size
    lines: list[dict[str, Any]] = []
    yield lines
    with log.open("rb") as f:
        f.seek(start)
        text = f.read().decode(errors="replace")
    lines += [json.loads(line.split("threadguard audit: ", 1)[1]) for line in text.splitlines() if "threadguard audit: " in line]


def _table(conninfo: str, reason: str) -> list[str]:
    with psycopg.connect(conninfo) as conn:
        return [r[0] for r in conn.execute("select action from threadguard.audit_log where reason = %s order by id", (reason,))]


def test_support_reads_and_grants_leave_a_record_a_rollback_cannot_erase(migrated_db: str, app_db: str) -> None:
    tenant, user = uuid.uuid4(), uuid.uuid4()
    with tg.connect(app_db) as conn, tg.acting_as(tenant, user):
        thread = tg.create_conversation(conn, "audited").thread_id
    support = support_conninfo(migrated_db)
    reason = f"ticket {uuid.uuid4()}"

    # Opened and used in one transaction, then rolled back: the read is refused, the grant logged.
    with logged() as lines, psycopg.connect(support) as conn:
        conn.execute("select threadguard.open_support_access(%s, %s, 30)", (tenant, reason))
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="commit it first"):
            conn.execute("select * from threadguard.support_conversations(%s)", (tenant,))
        conn.rollback()
    assert _table(migrated_db, reason) == []
    # (Other workers' tests write to the same server log: only this test's tenant and reason count.)
    assert [(x["action"], x["actor"], x["reason"]) for x in lines if x.get("reason") == reason] == [("support_open", SUPPORT_LOGIN, reason)]

    # Opened and committed; then reads rolled back, whole or to a savepoint: each one is logged.
    with psycopg.connect(support, autocommit=True) as conn:
        conn.execute("select threadguard.open_support_access(%s, %s, 30)", (tenant, reason))
    with logged() as lines, psycopg.connect(support) as conn:
        assert [str(r[0]) for r in conn.execute("select thread_id from threadguard.support_conversations(%s)", (tenant,))] == [str(thread)]
        conn.execute("select * from threadguard.support_checkpoint(%s, %s)", (tenant, thread)).fetchall()
        conn.rollback()
        with conn.transaction():
            with pytest.raises(psycopg.errors.UndefinedFunction), conn.transaction():  # a savepoint, rolled back
                conn.execute("select * from threadguard.support_conversations(%s)", (tenant,)).fetchall()
                conn.execute("select no_such_function()")
    assert _table(migrated_db, reason) == ["support_open"], "the reads' table rows went with their rollbacks"
    mine = [x for x in lines if x.get("tenant_id") == str(tenant)]
    assert [x["action"] for x in mine] == ["support_read", "support_read", "support_read"]
    assert {x["actor"] for x in mine} == {SUPPORT_LOGIN}


def test_an_admin_export_rolled_back_is_still_on_record(migrated_db: str, app_db: str) -> None:
    tenant, user = uuid.uuid4(), uuid.uuid4()
    with tg.connect(app_db) as conn, tg.acting_as(tenant, user):
        tg.create_conversation(conn, "exported")
    reason = f"request {uuid.uuid4()}"
    with logged() as lines, psycopg.connect(operator_conninfo(migrated_db)) as conn:
        assert len(conn.execute("select * from threadguard.export_conversations(%s, null, %s)", (tenant, reason)).fetchall()) == 1
        conn.rollback()
    assert _table(migrated_db, reason) == []
    assert [(x["action"], x["reason"], x["row_count"]) for x in lines if x.get("reason") == reason] == [("export", reason, 1)]
