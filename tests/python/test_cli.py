"""The `threadguard` command as a DBA types it: option positions, URL forms, the
database it announces, no implicit default, ordinary logins, never-migrated databases.
Every expected failure is one line on stderr and a documented exit code, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid

import psycopg
import pytest
from dbtools import admin_conninfo
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from threadguard import runner


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith("PG")}
    return subprocess.run([sys.executable, "-m", "threadguard.cli", *args], env={**base, **(env or {})},
                          capture_output=True, text=True, timeout=120)


def _url(conninfo: str) -> str:
    """The same database as a URL, as DATABASE_URL usually is."""
    p = conninfo_to_dict(conninfo)
    host = p.get("host", "")
    where = f"@{host}:{p.get('port', 5432)}" if host and not host.startswith("/") else f"@/{p['dbname']}?host={host}"
    if where.startswith("@/"):
        return f"postgresql://{p.get('user', 'postgres')}{where}"
    return f"postgresql://{p.get('user', 'postgres')}{where}/{p['dbname']}"


def test_database_option_before_or_after_the_command(empty_db: str) -> None:
    for args in (["--database", empty_db, "status"], ["status", "--database", empty_db]):
        done = _run(*args)
        assert done.returncode == 0, done.stderr
        assert "pending" in done.stdout
    assert runner.status(empty_db)[0].applied_at is None


def test_url_forms_and_the_announced_database(empty_db: str) -> None:
    dbname = conninfo_to_dict(empty_db)["dbname"]
    url = _url(empty_db)
    for form in (url, url.replace("postgresql://", "postgresql+psycopg://", 1), url.replace("postgresql://", "postgres://", 1)):
        done = _run("status", env={"DATABASE_URL": form})
        assert done.returncode == 0, (form, done.stderr)
        assert f"database {dbname} on " in done.stderr and " as " in done.stderr


def test_status_and_verify_change_nothing_on_a_database_never_migrated(empty_db: str) -> None:
    done = _run("verify", "--database", empty_db)
    assert done.returncode == 1 and "Traceback" not in done.stderr + done.stdout
    assert "threadguard is not installed in this database" in done.stdout
    _run("status", "--database", empty_db)
    with psycopg.connect(empty_db) as conn:
        assert conn.execute("select count(*) from pg_class where relname like %s", ("%yoyo%",)).fetchone()[0] == 0


def test_no_connection_settings_at_all_is_an_error_not_a_default() -> None:
    done = _run("status")
    assert done.returncode == 2
    assert "no database named" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("bad", ["dbname='unterminated", "postgresql://user@host:notaport/db", "not a conninfo at all"])
def test_malformed_connection_strings_are_one_line(bad: str) -> None:
    done = _run("verify", "--database", bad)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_an_ordinary_login_fails_at_once_naming_the_role_needed(empty_db: str) -> None:
    runner.migrate(empty_db)
    login = f"tg_ordinary_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_conninfo(), autocommit=True) as conn:
        conn.execute(sql.SQL("create role {} login password 'ordinary'").format(sql.Identifier(login)))
    ordinary = make_conninfo(empty_db, user=login, password="ordinary")
    try:
        # A login of the cluster that is not this database's may not even connect (0018).
        done = _run("migrate", "--database", ordinary)
        assert done.returncode == 3 and "may not connect to database" in done.stderr and "Traceback" not in done.stderr
        with psycopg.connect(empty_db, autocommit=True) as conn:
            conn.execute(sql.SQL("grant connect on database {} to {}").format(sql.Identifier(conn.info.dbname), sql.Identifier(login)))
        for command in ("migrate", "rollback"):
            started = time.monotonic()
            done = _run(command, "--database", ordinary)
            assert time.monotonic() - started < 15
            assert done.returncode == 3 and "lacks a privilege" in done.stderr and "Traceback" not in done.stderr
    finally:
        with psycopg.connect(empty_db, autocommit=True) as conn:
            conn.execute(sql.SQL("drop owned by {}").format(sql.Identifier(login)))
        with psycopg.connect(admin_conninfo(), autocommit=True) as conn:
            conn.execute(sql.SQL("drop role {}").format(sql.Identifier(login)))


def test_version() -> None:
    done = _run("--version")
    assert done.returncode == 0 and done.stdout.startswith("threadguard ")


def test_adopt_names_an_owners_query_of_the_wrong_shape(empty_db: str) -> None:
    runner.migrate(empty_db)
    done = _run("adopt", "--database", empty_db, "--owners", "select 'x' as thread_id, 'title' as title")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "returns 2 column(s); it must return thread_id, tenant_id, user_id" in done.stderr


def test_export_to_a_missing_directory_or_failing_leaves_no_file(empty_db: str, tmp_path: object) -> None:
    from pathlib import Path

    runner.migrate(empty_db)
    missing = Path(str(tmp_path)) / "no" / "such" / "x.jsonl"
    done = _run("export", "--database", empty_db, "--tenant", str(uuid.uuid4()), "--reason", "r", "--output", str(missing))
    assert done.returncode == 2 and "does not exist" in done.stderr and "Traceback" not in done.stderr
    # A login that may connect but not export: refused, and no empty file left behind.
    login = f"tg_noexport_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(empty_db, autocommit=True) as conn:
        conn.execute(sql.SQL("create role {} login password 'x'").format(sql.Identifier(login)))
        conn.execute(sql.SQL("grant connect on database {} to {}").format(sql.Identifier(conn.info.dbname), sql.Identifier(login)))
    target = Path(str(tmp_path)) / "x.jsonl"
    try:
        done = _run("export", "--database", make_conninfo(empty_db, user=login, password="x"), "--tenant", str(uuid.uuid4()),
                    "--reason", "r", "--output", str(target))
        assert done.returncode == 3 and "Traceback" not in done.stderr, done.stderr
        assert not target.exists() and not list(Path(str(tmp_path)).glob(".*partial"))
    finally:
        with psycopg.connect(empty_db, autocommit=True) as conn:
            conn.execute(sql.SQL("drop owned by {}").format(sql.Identifier(login)))
            conn.execute(sql.SQL("drop role {}").format(sql.Identifier(login)))


def test_progress_lines_stand_one_per_line_in_a_log(empty_db: str) -> None:
    """Not a terminal (cron, CI): each progress report is a line of its own, no carriage return."""
    runner.migrate(empty_db)
    done = _run("retention", "--database", empty_db, "--dry-run")
    assert done.returncode == 0, done.stderr
    assert "\r" not in done.stderr
    assert any(line.startswith("threadguard retention: ") and "scanned" in line for line in done.stderr.splitlines())


@pytest.mark.parametrize("args, expected", [
    (["erase", "--tenant", "not-a-uuid", "--reason", "x"], "argument --tenant: not a uuid: 'not-a-uuid'"),
    (["erase", "--tenant", str(uuid.UUID(int=1)), "--user", "u1", "--reason", "x"], "argument --user: not a uuid: 'u1'"),
    (["erase", "--tenant", str(uuid.UUID(int=1)), "--reason", " "], "argument --reason: a reason is required"),
    (["erase", "--tenant", str(uuid.UUID(int=1)), "--reason", "x", "--batch-size", "0"], "argument --batch-size: must be between 1 and 10,000 (got 0)"),
    (["export", "--tenant", "nope", "--reason", "x"], "argument --tenant: not a uuid: 'nope'"),
    (["retention", "--batch-size", "20000"], "argument --batch-size: must be between 1 and 10,000 (got 20000)"),
    (["sweep-store", "--batch-size", "0"], "argument --batch-size: must be between 1 and 100,000 (got 0)"),
    (["adopt", "--owners", "select 1", "--batch-size", "x"], "argument --batch-size: not a whole number: 'x'"),
    (["row-counts", "--reason", ""], "argument --reason: a reason is required"),
    (["migrate", "--lock-attempts", "0"], "argument --lock-attempts: must be between 1 and 100 (got 0)"),
])
def test_bad_argument_values_are_usage_errors(empty_db: str, args: list[str], expected: str) -> None:
    """Exit 2 with one line naming the argument, before anything reaches the database (no
    PostgreSQL error text, no CONTEXT lines), as the README's exit codes say."""
    done = _run(*args, "--database", empty_db)
    assert done.returncode == 2, done.stderr
    assert expected in done.stderr and "CONTEXT" not in done.stderr and "Traceback" not in done.stderr, done.stderr
