"""plpgsql_check (Debian's postgresql-15-plpgsql-check) over every PL/pgSQL function in
schema threadguard, trigger functions with their table: a typo or a shadowed name in a
branch no test runs fails here, not in production."""

from __future__ import annotations

import psycopg
import pytest

CHECK = """
select p.oid::regprocedure::text as function, t.level, t.message, t.lineno
from pg_catalog.pg_proc p
join pg_catalog.pg_language l on l.oid = p.prolang and l.lanname = 'plpgsql',
lateral public.plpgsql_check_function_tb(
    p.oid,
    case when p.prorettype = 'trigger'::regtype
         then (select t.tgrelid from pg_catalog.pg_trigger t where t.tgfoid = p.oid limit 1) else 0 end,
    fatal_errors => false, extra_warnings => true, other_warnings => true, security_warnings => true) as t
where p.pronamespace = %s::regnamespace
"""


def test_every_plpgsql_function_passes_plpgsql_check(migrated_db: str) -> None:
    with psycopg.connect(migrated_db, autocommit=True) as conn:
        if not conn.execute("select exists (select from pg_available_extensions where name = 'plpgsql_check')").fetchone()[0]:
            pytest.skip(f"plpgsql_check is built here only for Debian's PostgreSQL 15, not for {conn.info.server_version // 10000}")
        conn.execute("create extension if not exists plpgsql_check with schema public")
        findings = conn.execute(CHECK, ("threadguard",)).fetchall()
        checked = conn.execute(
            "select count(*) from pg_proc p join pg_language l on l.oid = p.prolang"
            " where l.lanname = 'plpgsql' and p.pronamespace = 'threadguard'::regnamespace").fetchone()[0]
        # The checker itself finds a typo in a branch nothing runs (so an empty answer means something).
        conn.execute("create schema tg_check_probe")
        conn.execute("""create function tg_check_probe.f(p int) returns int language plpgsql as $$
            begin if p < 0 then return threadguard.no_such_function(p); end if; return p; end $$""")
        probe = conn.execute(CHECK, ("tg_check_probe",)).fetchall()
        conn.execute("drop schema tg_check_probe cascade")
    assert checked >= 5
    assert findings == [], findings
    assert probe and any("no_such_function" in str(row) for row in probe)
