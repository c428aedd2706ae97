"""threadguard as a managed service's administrator installs and runs it: no superuser, the
database's owner with LOGIN CREATEDB CREATEROLE (RDS, Cloud SQL, Azure), or with REPLICATION
and BYPASSRLS too (Supabase, Neon). And two databases of one cluster, each with its own roles:
no login of one reaches the other."""

from __future__ import annotations

import io
import json
import os
import secrets
import shlex
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from dbtools import admin_conninfo, roles_of, thread_rows
from langgraph.checkpoint.postgres import PostgresSaver
from langgraph.store.postgres import PostgresStore
from psycopg import sql
from psycopg.conninfo import make_conninfo
from psycopg.rows import dict_row
from test_saver import chat_graph, config

import threadguard as tg
from threadguard import adoption, checks, export, operations, runner
from threadguard.roles import Roles, default_prefix

PERSONAS = {
    "rds": "login createdb createrole",
    "supabase": "login createdb createrole replication bypassrls",
}


@dataclass(frozen=True)
class Managed:
    """A database owned by a managed-service administrator `admin`, reached as it by `url`."""

    persona: str
    admin: str
    url: str


@contextmanager
def managed_database(persona: str) -> Iterator[Managed]:
    """A new database and its administrator (the persona's attributes, no superuser); both
    dropped afterwards with every role the install created."""
    name = f"tg_managed_{secrets.token_hex(4)}"
    admin = f"{name}_dba"
    with psycopg.connect(admin_conninfo(), autocommit=True) as conn:
        conn.execute(sql.SQL(f"create role {{}} {PERSONAS[persona]} password 'dba'").format(sql.Identifier(admin)))
        conn.execute(sql.SQL("create database {} owner {}").format(sql.Identifier(name), sql.Identifier(admin)))
        if conn.info.server_version < 150000:  # as 15+ does (pg_database_owner): the administrator owns public
            with psycopg.connect(make_conninfo(admin_conninfo(), dbname=name), autocommit=True) as db:
                db.execute(sql.SQL("alter schema public owner to {}").format(sql.Identifier(admin)))
    try:
        yield Managed(persona, admin, make_conninfo(admin_conninfo(), dbname=name, user=admin, password="dba"))
    finally:
        with psycopg.connect(admin_conninfo(), autocommit=True) as conn:
            conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))
            # The administrator last: on PostgreSQL 16+ it is the grantor of the others' memberships.
            for (role,) in conn.execute("select rolname from pg_roles where rolname like %s or rolname = %s"
                                        " order by rolname = %s, rolname like '%%login' desc",
                                        (f"tg_{name}_%", admin, admin)).fetchall():
                # Another test database's 0018 may have kept this login's CONNECT on it by name.
                for (other,) in conn.execute("select d.datname from pg_database d, aclexplode(d.datacl) a"
                                             " where a.grantee = %s::regrole", (role,)).fetchall():
                    conn.execute(sql.SQL("revoke connect on database {} from {}").format(sql.Identifier(other), sql.Identifier(role)))
                conn.execute(sql.SQL("drop role {}").format(sql.Identifier(role)))


def _login(db: Managed, role: str) -> str:
    """A login the administrator creates and grants `role`, as the README tells; its conninfo."""
    login = f"{role}_login"
    with psycopg.connect(db.url, autocommit=True) as conn:
        conn.execute(sql.SQL("create role {} login password 'pw'").format(sql.Identifier(login)))
        conn.execute(sql.SQL("grant {} to {}").format(sql.Identifier(role), sql.Identifier(login)))
    return make_conninfo(db.url, user=login, password="pw")


TENANT_A = uuid.uuid4()


def _isolated(app: str) -> None:
    """Two tenants through the binding: each sees its own conversation and not the other's
    (tenant TENANT_A's title: "a's")."""
    a, b = (TENANT_A, uuid.uuid4()), (uuid.uuid4(), uuid.uuid4())
    with tg.connect(app) as conn:
        with tg.acting_as(*a):
            mine = tg.create_conversation(conn, "a's").thread_id
        with tg.acting_as(*b):
            assert [c.thread_id for c in tg.list_conversations(conn)] == []
            assert tg.get_conversation(conn, mine) is None
        with tg.acting_as(*a):
            assert [str(c.thread_id) for c in tg.list_conversations(conn)] == [str(mine)]
    with psycopg.connect(app, autocommit=True) as conn:  # no identity: nothing
        assert conn.execute("select count(*) from threadguard.conversations").fetchone()[0] == 0


@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_a_managed_administrator_installs_operates_and_rolls_back(persona: str) -> None:
    with managed_database(persona) as db:
        applied = runner.migrate(db.url)
        assert applied and runner.verify(db.url) == []
        roles = roles_of(db.url)
        assert roles.prefix.startswith("tg_tg_managed_")
        with psycopg.connect(db.url) as conn:
            superuser, member = conn.execute(
                "select rolsuper, pg_has_role(current_user, %s, 'usage') from pg_roles where rolname = current_user",
                (roles.owner,)).fetchone()
        assert not superuser and not member, "the administrator holds the owner role's rights only inside migrate's transactions"
        app = _login(db, roles.app)
        _isolated(app)
        # The operator commands run as the admin role: reached by SET ROLE for the administrator,
        # by membership for a login granted it.
        operator = _login(db, roles.admin)
        for who in (db.url, operator):
            assert operations.retention(who).scanned >= 1
            out = io.StringIO()
            assert export.export(who, str(TENANT_A), None, "managed test", out) == (1, 0)
            assert json.loads(out.getvalue().splitlines()[0])["title"] == "a's"
            counts = {(table, str(tenant)): n for table, tenant, n in operations.row_counts(who, "managed test")}
            assert counts[("threadguard.conversations", str(TENANT_A))] == 1, counts
        left = operations.erase(operator, str(TENANT_A), None, "managed test")
        assert left.conversations == 0
        assert runner.status(db.url)[-1].applied_at is not None
        runner.break_lock(db.url)
        # Rolled back whole, and back again.
        assert runner.rollback(db.url, all_migrations=True) == list(reversed(applied))
        assert runner.migrate(db.url) == applied
        assert runner.verify(db.url) == []


@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_a_managed_administrator_adopts_the_tables_its_setup_created(persona: str) -> None:
    with managed_database(persona) as db:
        threads = [str(uuid.uuid4()) for _ in range(3)]
        with psycopg.connect(db.url, autocommit=True, prepare_threshold=0, row_factory=dict_row) as conn:
            saver = PostgresSaver(conn)
            saver.setup()
            graph = chat_graph(saver)
            for thread in threads:
                graph.invoke({"messages": ["hi"]}, config(thread))
        before = {t: thread_rows(admin_conninfo_of(db), t) for t in threads}
        runner.migrate(db.url)
        unowned = runner.verify(db.url)  # counted by the admin role the administrator is lent
        assert len(unowned) == 1 and "3 LangGraph thread(s) have checkpoints nobody owns" in unowned[0], unowned
        assert {t: thread_rows(admin_conninfo_of(db), t) for t in threads} == before, "every row kept"
        roles = roles_of(db.url)
        tenant, user = uuid.uuid4(), uuid.uuid4()
        # Adoption runs as the install's admin role: no BYPASSRLS needed.
        owners = f"select t, '{tenant}'::uuid, '{user}'::uuid from unnest(array{threads!r}) as t"
        done = adoption.adopt(db.url, owners)
        assert (done.adopted, done.unowned_left) == (3, 0)
        assert runner.verify(db.url) == []
        app = _login(db, roles.app)
        with tg.connect(app) as conn, tg.acting_as(tenant, user):
            assert PostgresSaver(conn).get_tuple(config(threads[0])) is not None
        with tg.connect(app) as conn, tg.acting_as(uuid.uuid4(), user):
            assert PostgresSaver(conn).get_tuple(config(threads[0])) is None
        operator = _login(db, roles.admin)
        out = io.StringIO()
        assert export.export(operator, str(tenant), None, "managed adoption", out) == (3, 0)
        assert operations.sweep_store(operator) == 0
        # Rolled back whole, the tables go back to the administrator with every row; migrated again, kept.
        applied = [s.id for s in runner.status(db.url) if s.applied_at]
        assert runner.rollback(db.url, all_migrations=True) == list(reversed(applied))
        assert {t: thread_rows(admin_conninfo_of(db), t) for t in threads} == before
        runner.migrate(db.url)
        assert runner.verify(db.url) == unowned, "adopted again: the threads are nobody's again, and verify says so"
        assert {t: thread_rows(admin_conninfo_of(db), t) for t in threads} == before


def admin_conninfo_of(db: Managed) -> str:
    """The superuser's conninfo to the managed database (to count every row)."""
    with psycopg.connect(db.url) as conn:
        name = conn.info.dbname
    return make_conninfo(admin_conninfo(), dbname=name)


def test_two_databases_of_one_cluster_share_no_role() -> None:
    with managed_database("rds") as one, managed_database("rds") as two:
        runner.migrate(one.url)
        runner.migrate(two.url)
        r1, r2 = roles_of(one.url), roles_of(two.url)
        assert set(r1.all).isdisjoint(r2.all)
        for mine, theirs, roles in ((one, two, r1), (two, one, r2)):
            logins = [_login(mine, roles.name(kind)) for kind in ("app", "admin", "support")]
            _isolated(logins[0])
            with psycopg.connect(theirs.url) as conn:
                target = conn.info.dbname
            for login in logins:
                with pytest.raises(psycopg.OperationalError, match="CONNECT privilege"):
                    psycopg.connect(make_conninfo(login, dbname=target)).close()
        # Nor can one database's install take the other's role names.
        with pytest.raises(runner.MigrationError, match="belongs to database"):
            with managed_database("rds") as three:
                runner.migrate(three.url, role_prefix=r1.prefix)


def test_an_install_on_the_clusters_shared_roles_moves_to_its_own(empty_db: str) -> None:
    """What 0018 does to an install made before it: threadguard_owner, ... shared by every
    database of the cluster. Rows, the logins' grants and isolation carry over; the shared
    roles keep nothing in this database."""
    legacy = Roles("threadguard")
    runner.migrate(empty_db, target="0017_store", role_prefix=legacy.prefix)
    with pytest.MonkeyPatch.context() as patch:  # sql/ of that time: without the policies of tables 0021 adds
        later = {"token_keys", "token_settings", "verified_tokens"}
        then = [f for f in runner.definition_files() if not (f.parent.name == "policies" and f.stem in later)]
        patch.setattr(runner, "definition_files", lambda: then)
        runner.apply_definitions(empty_db, legacy)
    assert roles_of(empty_db) == legacy
    app, admin = f"legacy_app_{secrets.token_hex(3)}", f"legacy_admin_{secrets.token_hex(3)}"
    with psycopg.connect(empty_db, autocommit=True) as conn:
        for login, role in ((app, legacy.app), (admin, legacy.admin)):
            conn.execute(sql.SQL("create role {} login password 'pw'").format(sql.Identifier(login)))
            conn.execute(sql.SQL("grant {} to {}").format(sql.Identifier(role), sql.Identifier(login)))
    app_url = make_conninfo(empty_db, user=app, password="pw")
    tenant, user = uuid.uuid4(), uuid.uuid4()
    with tg.connect(app_url) as conn, tg.acting_as(tenant, user):
        mine = str(tg.create_conversation(conn, "before").thread_id)
    try:
        assert runner.migrate(empty_db)[0] == "0018_database_roles"
        assert runner.verify(empty_db) == []
        own = roles_of(empty_db)
        with psycopg.connect(empty_db) as conn:
            assert own.prefix == default_prefix(conn.info.dbname)
            held = conn.execute(
                "select count(*) from pg_shdepend s join pg_roles r on r.oid = s.refobjid"
                " where s.dbid = (select oid from pg_database where datname = current_database()) and r.rolname = any(%s)",
                (legacy.all,)).fetchone()[0]
            assert held == 0, "the shared roles own and are granted nothing here any more"
            assert conn.execute("select pg_has_role(%s, %s, 'member') and pg_has_role(%s, %s, 'member')",
                                (app, own.app, admin, own.admin)).fetchone()[0], "the logins' grants carried over"
        with tg.connect(app_url) as conn:
            with tg.acting_as(tenant, user):
                assert [str(c.thread_id) for c in tg.list_conversations(conn)] == [mine]
            with tg.acting_as(uuid.uuid4(), uuid.uuid4()):
                assert tg.list_conversations(conn) == []
        left = operations.erase(make_conninfo(empty_db, user=admin, password="pw"), str(tenant), None, "moved")
        assert left.conversations == 0
    finally:
        with psycopg.connect(empty_db, autocommit=True) as conn:
            for login in (app, admin):
                conn.execute(sql.SQL("drop owned by {}").format(sql.Identifier(login)))
                conn.execute(sql.SQL("drop role {}").format(sql.Identifier(login)))


PLANT = """
create table public.tap_log (who name, super boolean, what text);
grant insert on public.tap_log to public;
create function public.tap(p text) returns boolean language plpgsql as $f$
begin
    insert into public.tap_log select current_user, r.rolsuper, p from pg_roles as r where r.rolname = current_user;
    return true;
end $f$;
create function public.tap_trigger() returns trigger language plpgsql as $f$
begin perform public.tap(tg_op); return coalesce(new, old); end $f$;
alter table public.checkpoints add constraint tap_check check (public.tap(thread_id)) not valid;
create trigger tap_trigger before insert or update or delete on public.checkpoints
    for each row execute function public.tap_trigger();
"""


def test_what_the_former_owner_planted_never_runs() -> None:
    """The login that ran setup() attached a CHECK constraint and a trigger that log whoever runs
    them. Migrate refuses to take the tables over until they are gone, names each with its fix;
    nothing of it ever runs: not during migrate, adopt, retention or erase, not as anyone."""
    with managed_database("supabase") as db:
        with psycopg.connect(db.url) as conn:
            name = conn.info.dbname
        superuser = make_conninfo(admin_conninfo(), dbname=name)
        former = f"{name}_former"
        with psycopg.connect(superuser, autocommit=True) as conn:
            conn.execute(sql.SQL("create role {} login password 'pw'").format(sql.Identifier(former)))
            conn.execute(sql.SQL("grant create on schema public to {}").format(sql.Identifier(former)))
        threads = [str(uuid.uuid4()) for _ in range(2)]
        with psycopg.connect(make_conninfo(db.url, user=former, password="pw"), autocommit=True,
                             prepare_threshold=0, row_factory=dict_row) as conn:
            saver = PostgresSaver(conn)
            saver.setup()
            graph = chat_graph(saver)
            for thread in threads:
                graph.invoke({"messages": ["hi"]}, config(thread))
            conn.execute(PLANT.encode(), prepare=False)
        with psycopg.connect(superuser, autocommit=True) as conn:  # the DBA takes the tables (docs/managed.md)
            for table in ("checkpoint_migrations", "checkpoints", "checkpoint_blobs", "checkpoint_writes"):
                conn.execute(sql.SQL("alter table public.{} owner to {}").format(sql.Identifier(table), sql.Identifier(db.admin)))

        def ran() -> list[tuple[str, bool, str]]:
            with psycopg.connect(superuser) as conn:
                return conn.execute("select who, super, what from public.tap_log").fetchall()

        with pytest.raises(runner.MigrationError) as refused:
            runner.migrate(db.url)
        assert "constraint tap_check on public.checkpoints" in str(refused.value)
        assert "trigger tap_trigger on public.checkpoints" in str(refused.value)
        assert [s.id for s in runner.status(db.url) if s.applied_at] == [], "nothing was applied"
        with psycopg.connect(db.url, autocommit=True) as conn:
            for finding in checks.findings(conn, Roles("threadguard"), rules=["foreign_objects_on_langgraph_tables"]):
                conn.execute(finding.fix.encode())
        runner.migrate(db.url)
        # The functions the former owner left in public are named too, with their fix.
        planted = [f for f in checks.inspect(db.url) if not isinstance(f, str) and f.rule != "unowned_langgraph_threads"]
        assert sorted(f.object for f in planted) == ["function public.tap(text)", "function public.tap_trigger()"]
        with psycopg.connect(superuser, autocommit=True) as conn:
            for finding in planted:
                conn.execute(finding.fix.split(" (")[0].encode())
        assert [p for p in runner.verify(db.url) if "nobody owns" not in p] == []
        tenant, user = uuid.uuid4(), uuid.uuid4()
        owners = f"select t, '{tenant}'::uuid, '{user}'::uuid from unnest(array{threads!r}) as t"
        assert adoption.adopt(db.url, owners).adopted == 2
        assert runner.verify(db.url) == []
        with tg.connect(_login(db, roles_of(db.url).app)) as conn, tg.acting_as(tenant, user):
            chat_graph(PostgresSaver(conn)).invoke({"messages": ["again"]}, config(threads[0]))
        operations.retention(db.url)
        operations.erase(db.url, str(tenant), None, "planted test")
        assert ran() == [], "the planted constraint or trigger ran"


def test_the_readme_install_block_runs_as_printed() -> None:
    """The README's install commands, as printed but for the administrator's URL, on a database
    named mydb owned by an administrator with no superuser: they print what the README says."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Install on your database"):]
    block = section[section.index("```sh\n") + 6: section.index("```\n", section.index("```sh\n") + 6)]
    admin = f"mydb_dba_{secrets.token_hex(3)}"
    with psycopg.connect(admin_conninfo(), autocommit=True) as conn:
        conn.execute("drop database if exists mydb with (force)")
        conn.execute(sql.SQL(f"create role {{}} {PERSONAS['rds']} password 'dba'").format(sql.Identifier(admin)))
        conn.execute(sql.SQL("create database mydb owner {}").format(sql.Identifier(admin)))
        if conn.info.server_version < 150000:
            with psycopg.connect(make_conninfo(admin_conninfo(), dbname="mydb"), autocommit=True) as db:
                db.execute(sql.SQL("alter schema public owner to {}").format(sql.Identifier(admin)))
    url = make_conninfo(admin_conninfo(), dbname="mydb", user=admin, password="dba")
    lines = block.splitlines()
    assert lines[0].startswith('export DATABASE_URL="postgresql://admin@db.example.com/mydb"')
    script = "\n".join(["set -e", f"export DATABASE_URL={shlex.quote(url)}", *lines[1:]])
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    try:
        done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=env, timeout=300)
        assert done.returncode == 0, done.stderr
        assert "roles: tg_mydb_owner, tg_mydb_app, tg_mydb_admin, tg_mydb_operator, tg_mydb_support" in done.stdout
        assert done.stdout.rstrip().endswith("threadguard verify: ok")
        _isolated(make_conninfo(url, user="my_app", password="change-me"))
    finally:
        with psycopg.connect(admin_conninfo(), autocommit=True) as conn:
            conn.execute("drop database if exists mydb with (force)")
            for (role,) in conn.execute("select rolname from pg_roles where rolname like 'tg\\_mydb\\_%%' or rolname in ('my_app', %s)"
                                        " order by rolname = %s", (admin, admin)).fetchall():
                conn.execute(sql.SQL("drop role {}").format(sql.Identifier(role)))


@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_rolling_back_as_the_administrator_loses_no_row(persona: str) -> None:
    """Rollback decides whether tables threadguard created are empty before it drops them: as an
    administrator that RLS binds, it must see every tenant's rows, and keep the tables."""
    with managed_database(persona) as db:
        runner.migrate(db.url)
        app = _login(db, roles_of(db.url).app)
        tenant, user = uuid.uuid4(), uuid.uuid4()
        with tg.connect(app) as conn, tg.acting_as(tenant, user):
            thread = str(tg.create_conversation(conn, "kept").thread_id)
            chat_graph(PostgresSaver(conn)).invoke({"messages": ["keep me"]}, config(thread))
            PostgresStore(conn).put(tg.user_namespace("memories"), "k", {"v": 1})
        before = thread_rows(admin_conninfo_of(db), thread)
        assert before > 0
        runner.rollback(db.url, all_migrations=True)
        assert thread_rows(admin_conninfo_of(db), thread) == before
        with psycopg.connect(admin_conninfo_of(db)) as conn:
            assert conn.execute("select count(*) from public.store").fetchone()[0] == 1
            owners = {r[0] for r in conn.execute("select pg_get_userbyid(relowner) from pg_class where relname in"
                                                 " ('checkpoints', 'checkpoint_blobs', 'checkpoint_writes', 'store')")}
        assert owners == {db.admin}, "the kept tables are the administrator's"
