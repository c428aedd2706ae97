"""Scheduled retention and store sweep with real pg_cron (issue #24, item 4): Debian's
postgresql-15-cron, preloaded by tests/with_db.sh where the server has it, runs docs/operations.md's
`cron.schedule_in_database` call (as printed, but every minute, in this test's database, as its
operator login): threadguard.run_maintenance deletes the idle conversation, prunes the kept one,
sweeps the expired store item, and the runs are in cron.job_run_details and the audit log."""

from __future__ import annotations

import re
import time
import uuid
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from dbtools import admin_conninfo, app_conninfo, ensure_app_login, fresh_database, operator_conninfo
from langgraph.checkpoint.postgres import PostgresSaver
from langgraph.store.postgres import PostgresStore
from psycopg.conninfo import conninfo_to_dict, make_conninfo

import threadguard as tg
from threadguard import runner
from threadguard.demo import chat_graph, config

ROOT = Path(__file__).resolve().parents[2]


def _readme_block() -> str:
    readme = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    section = readme[readme.index("- **Scheduled operations**"):]
    return re.search(r"\n  ```sql\n(.*?)\n  ```\n", section, re.DOTALL).group(1).replace("\n  ", "\n")  # type: ignore[union-attr]


@dataclass
class Scheduled:
    """A database with an idle and a kept conversation and an expired store item, and the job that maintains it."""

    db: str
    app: str
    who: tuple[uuid.UUID, uuid.UUID]
    kept: str
    idle: str
    job: str
    cleanup: ExitStack


STARTED: Scheduled | BaseException | None = None  # set by conftest as soon as this test is collected


def schedule() -> Scheduled | None:
    """Prepare the database and schedule docs/operations.md's call (as printed but for the schedule, every
    minute, the database and the login), or None without pg_cron. conftest calls this when the session's
    tests are collected, so that pg_cron's next minute has usually passed when the test runs."""
    cron_db = make_conninfo(admin_conninfo(), dbname="postgres")
    with psycopg.connect(cron_db, autocommit=True) as conn:
        if conn.execute("select current_setting('shared_preload_libraries', true)").fetchone() != ("pg_cron",):
            return None
        conn.execute("create extension if not exists pg_cron")
    cleanup = ExitStack()
    try:
        db = cleanup.enter_context(fresh_database("tg_cron"))
        runner.migrate(db)
        ensure_app_login(db)
        app = app_conninfo(db)
        who = (uuid.uuid4(), uuid.uuid4())
        with tg.connect(app) as conn, tg.acting_as(*who):
            saver = PostgresSaver(conn)
            graph = chat_graph(saver)
            kept, idle = tg.create_conversation(conn, "kept").thread_id, tg.create_conversation(conn, "idle").thread_id
            for turn in range(3):
                graph.invoke({"messages": [f"turn {turn}"]}, config(kept))
            graph.invoke({"messages": ["long ago"]}, config(idle))
            PostgresStore(conn, ttl={"default_ttl": 1}).put(tg.user_namespace("memories"), "old", {"v": 1})
        with psycopg.connect(db, autocommit=True) as conn:
            conn.execute("update threadguard.conversations set updated_at = now() - interval '100 days' where thread_id = %s", (idle,))
            conn.execute("update public.store set expires_at = now() - interval '1 hour' where key = 'old'")
        operator = operator_conninfo(db)
        with psycopg.connect(operator, autocommit=True) as conn:
            conn.execute("select threadguard.set_retention(%s, 30, 2, 'schedule test')", (who[0],))
        statement = _readme_block().split(";\n")[0].lstrip()
        job = f"tg-maintenance-{uuid.uuid4().hex[:6]}"
        statement = (statement.replace("'threadguard-maintenance'", f"'{job}'").replace("'*/15 * * * *'", "'* * * * *'")
                     .replace("'mydb'", f"'{conninfo_to_dict(db)['dbname']}'")
                     .replace("'ops_login'", f"'{conninfo_to_dict(operator)['user']}'"))
        with psycopg.connect(cron_db, autocommit=True) as conn:
            conn.execute(statement)

        def unschedule() -> None:
            with psycopg.connect(cron_db, autocommit=True) as conn:
                conn.execute("select cron.unschedule(jobid) from cron.job where jobname = %s", (job,))

        cleanup.callback(unschedule)
        return Scheduled(db, app, who, kept, idle, job, cleanup)
    except BaseException:
        cleanup.close()
        raise


def test_pg_cron_runs_retention_and_the_store_sweep_as_an_operator_login() -> None:
    global STARTED
    scheduled = STARTED if STARTED is not None else schedule()
    STARTED = None
    if isinstance(scheduled, BaseException):
        raise scheduled
    if scheduled is None:
        pytest.skip("pg_cron is preloaded only on Debian's PostgreSQL 15 (postgresql-15-cron), not on this server")
    with scheduled.cleanup, psycopg.connect(make_conninfo(admin_conninfo(), dbname="postgres"), autocommit=True) as conn:
        deadline = time.monotonic() + 150
        while True:  # pg_cron 1.4 schedules by the minute: wait for the first finished run
            row = conn.execute("select d.status, d.return_message from cron.job_run_details as d join cron.job as j using (jobid)"
                               " where j.jobname = %s and d.status in ('succeeded', 'failed') limit 1", (scheduled.job,)).fetchone()
            if row is not None:
                break
            assert time.monotonic() < deadline, "pg_cron never ran the job"
            conn.execute("select pg_sleep(0.5)")
        assert row == ("succeeded", "CALL"), row
        with tg.connect(scheduled.app) as app, tg.acting_as(*scheduled.who):
            saver = PostgresSaver(app)
            assert tg.get_conversation(app, scheduled.idle) is None, "retention did not delete the idle conversation"
            assert len(list(saver.list(config(scheduled.kept)))) == 2, "retention did not prune the kept conversation"
            assert chat_graph(saver).get_state(config(scheduled.kept)).values["messages"][-1] == "assistant: I heard 'turn 2'"
        with psycopg.connect(scheduled.db) as db:
            assert db.execute("select count(*) from public.store where key = 'old'").fetchone() == (0,), "the sweep left the item"
            actions = {r[0] for r in db.execute("select action from threadguard.audit_log")}
        assert {"retention", "sweep_store"} <= actions, actions
