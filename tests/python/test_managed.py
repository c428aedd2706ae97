"""threadguard as a managed service's administrator installs and runs it: no superuser, the
database's owner with LOGIN CREATEDB CREATEROLE (RDS, Cloud SQL, Azure), or with REPLICATION
and BYPASSRLS too (Supabase, Neon). And two databases of one cluster, each with its own roles:
no login of one reaches the other."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg
import pytest
from dbtools import admin_conninfo, roles_of, thread_rows
from langgraph.checkpoint.postgres import PostgresSaver
from psycopg import sql
from psycopg.conninfo import make_conninfo
from psycopg.rows import dict_row
from test_saver import chat_graph, config

import threadguard as tg
from threadguard import runner

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
    try:
        yield Managed(persona, admin, make_conninfo(admin_conninfo(), dbname=name, user=admin, password="dba"))
    finally:
        with psycopg.connect(admin_conninfo(), autocommit=True) as conn:
            conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))
            # The administrator last: on PostgreSQL 16+ it is the grantor of the others' memberships.
            for (role,) in conn.execute("select rolname from pg_roles where rolname like %s or rolname = %s"
                                        " order by rolname = %s, rolname like '%%login' desc",
                                        (f"tg_{name}_%", admin, admin)).fetchall():
                conn.execute(sql.SQL("drop role {}").format(sql.Identifier(role)))


def _login(db: Managed, role: str) -> str:
    """A login the administrator creates and grants `role`, as the README tells; its conninfo."""
    login = f"{role}_login"
    with psycopg.connect(db.url, autocommit=True) as conn:
        conn.execute(sql.SQL("create role {} login password 'pw'").format(sql.Identifier(login)))
        conn.execute(sql.SQL("grant {} to {}").format(sql.Identifier(role), sql.Identifier(login)))
    return make_conninfo(db.url, user=login, password="pw")


def _isolated(app: str) -> None:
    """Two tenants through the binding: each sees its own conversation and not the other's."""
    a, b = (uuid.uuid4(), uuid.uuid4()), (uuid.uuid4(), uuid.uuid4())
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
        # The operator commands run as the admin role, reached by SET ROLE.
        assert runner.retention(db.url).scanned >= 0
        left = runner.erase(db.url, str(uuid.uuid4()), None, "managed test")
        assert left.conversations == 0
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
        assert runner.verify(db.url) == []
        assert {t: thread_rows(admin_conninfo_of(db), t) for t in threads} == before, "every row kept"
        roles = roles_of(db.url)
        tenant, user = uuid.uuid4(), uuid.uuid4()
        if persona == "supabase":  # BYPASSRLS: it sees the rows nobody owns yet, and hands them out
            owners = f"select t, '{tenant}'::uuid, '{user}'::uuid from unnest(array{threads!r}) as t"
            assert runner.adopt(db.url, owners).adopted == 3
            app = _login(db, roles.app)
            with tg.connect(app) as conn, tg.acting_as(tenant, user):
                assert PostgresSaver(conn).get_tuple(config(threads[0])) is not None
        else:  # without BYPASSRLS it cannot see them: one clear refusal, nothing changed
            with pytest.raises(PermissionError, match="does not bypass row-level security"):
                runner.adopt(db.url, f"select '{threads[0]}', '{tenant}'::uuid, '{user}'::uuid")


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
        logins = {kind: _login(one, r1.name(kind)) for kind in ("app", "admin", "support")}
        _isolated(logins["app"])
        with psycopg.connect(two.url) as conn:
            target = conn.info.dbname
        for kind, login in logins.items():
            with pytest.raises(psycopg.OperationalError, match="CONNECT privilege"):
                psycopg.connect(make_conninfo(login, dbname=target)).close()
            assert kind
        # Nor can one database's install take the other's role names.
        with pytest.raises(runner.MigrationError, match="belongs to database"):
            with managed_database("rds") as three:
                runner.migrate(three.url, role_prefix=r1.prefix)
