"""The five group roles of one database's threadguard install, and how the DBA's commands use them.

migrations/ and sql/ name the roles threadguard_owner, threadguard_app, threadguard_admin,
threadguard_operator and threadguard_support; each database applies them under names of its
own, <prefix>_owner ... (docs/roles.md), so that no role of one database means anything in another.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import tuple_row

KINDS = ("owner", "app", "admin", "operator", "support")
# The spelling migrations/ and sql/ use, replaced by the install's names when applied.
_WRITTEN = re.compile(r"\bthreadguard_(owner|app|admin|operator|support)\b")
# A prefix is an unquoted identifier that leaves room for "_operator" in 63 bytes.
_PREFIX = re.compile(r"[a-z_][a-z0-9_]{0,53}")


@dataclass(frozen=True)
class Roles:
    """One install's role names: <prefix>_owner, <prefix>_app, ..."""

    prefix: str

    def name(self, kind: str) -> str:
        return f"{self.prefix}_{kind}"

    @property
    def owner(self) -> str:
        return self.name("owner")

    @property
    def app(self) -> str:
        return self.name("app")

    @property
    def admin(self) -> str:
        return self.name("admin")

    @property
    def operator(self) -> str:
        return self.name("operator")

    @property
    def support(self) -> str:
        return self.name("support")

    @property
    def all(self) -> list[str]:
        return [self.name(kind) for kind in KINDS]

    def substitute(self, text: str) -> str:
        """`text` (a file of migrations/ or sql/) naming this install's roles."""
        return _WRITTEN.sub(lambda m: self.name(m.group(1)), text)


def check_prefix(prefix: str) -> str:
    """`prefix` when it can start a role name, else ValueError saying what can."""
    if not _PREFIX.fullmatch(prefix):
        raise ValueError(f"role prefix {prefix!r} must be a lower-case identifier of at most 54 characters "
                         "(letters, digits, underscores; not starting with a digit)")
    return prefix


def default_prefix(database: str) -> str:
    """tg_ and the database's name, lower-cased, other characters as underscores, cut to fit."""
    body = re.sub(r"[^a-z0-9_]+", "_", database.lower()).strip("_") or "db"
    return f"tg_{body}"[:54]


def _fetch(conn: psycopg.Connection[Any], query: str, params: Any = None) -> list[tuple[Any, ...]]:
    """Rows as tuples, whatever row factory the caller's connection has."""
    with conn.cursor(row_factory=tuple_row) as cur:
        return cur.execute(query, params).fetchall()


def installed(conn: psycopg.Connection[Any]) -> Roles | None:
    """The roles of the install in `conn`'s database (read from who owns schema threadguard),
    or None when threadguard is not installed there."""
    owners = [str(row[0]) for row in _fetch(conn, "select pg_catalog.pg_get_userbyid(n.nspowner) from pg_catalog.pg_namespace as n"
                                                   " where n.nspname operator(pg_catalog.=) 'threadguard'")]
    if not owners or not owners[0].endswith("_owner"):
        return None
    return Roles(owners[0][: -len("_owner")])


def for_database(conn: psycopg.Connection[Any], prefix: str | None = None) -> Roles:
    """The installed roles; before an install, `prefix`'s or the database's default ones."""
    found = installed(conn)
    if found is not None:
        return found
    if prefix is None:
        prefix = default_prefix(str(_fetch(conn, "select pg_catalog.current_database()")[0][0]))
    return Roles(check_prefix(prefix))


class NotInstalledError(RuntimeError):
    """threadguard is not installed in the database: `threadguard migrate` installs it."""


def required(conn: psycopg.Connection[Any]) -> Roles:
    """The installed roles, or NotInstalledError naming the command to run."""
    found = installed(conn)
    if found is None:
        raise NotInstalledError("threadguard is not installed in this database: run `threadguard migrate` first")
    return found


def app_role(conn: psycopg.Connection[Any]) -> str:
    """The name of the installed app role, to grant to an application's login."""
    return required(conn).app


def elevate(conn: psycopg.Connection[Any], names: list[str]) -> list[str]:
    """Inside the caller's transaction, make the connected administrator a member of those of
    the roles `names` that exist and it is not yet a member of (a superuser needs none); returns
    them, for `lower`. A rollback takes the grants back too: nothing of this outlives the transaction."""
    rows = _fetch(
        conn,
        "select r.rolname::text from pg_catalog.pg_roles as r"
        " where r.rolname operator(pg_catalog.=) any(%s::text[])"
        " and not (select s.rolsuper from pg_catalog.pg_roles as s where s.rolname operator(pg_catalog.=) current_user)"
        # Usable membership: privileges inherited, and (PostgreSQL 16+) SET ROLE allowed; the ADMIN-only
        # membership PostgreSQL 16+ gives a role's creator is not one.
        " and not (pg_catalog.pg_has_role(current_user, r.oid, 'USAGE')"
        "          and case when pg_catalog.current_setting('server_version_num')::integer >= 160000"
        "                   then pg_catalog.pg_has_role(current_user, r.oid, 'SET') else true end)",
        (names,),
    )
    granted = [str(row[0]) for row in rows]
    # Asked before granting anything, so that a refusal leaves the caller's transaction usable.
    refused = [str(row[0]) for row in _fetch(
        conn,
        "select r.rolname::text from pg_catalog.pg_roles as r, pg_catalog.pg_roles as me"
        " where r.rolname operator(pg_catalog.=) any(%s::text[]) and me.rolname operator(pg_catalog.=) current_user"
        " and not (me.rolcreaterole and not r.rolsuper"
        "          and case when pg_catalog.current_setting('server_version_num')::integer >= 160000"
        "                   then pg_catalog.pg_has_role(current_user, r.oid, 'MEMBER WITH ADMIN OPTION') else true end)",
        (granted,))]
    if refused:
        role = refused[0]
        raise PermissionError(
            f"the connected role may not lend itself {role}: it needs CREATEROLE and, on PostgreSQL 16 and later, ADMIN "
            f"OPTION on {role} (run `grant {role} to <you> with admin option` as the role that created it, or a "
            "superuser), or run this command as the database's administrator")
    for role in granted:
        conn.execute(sql.SQL("grant {} to current_user").format(sql.Identifier(role)))
    return granted


def lend_create(conn: psycopg.Connection[Any], pairs: list[tuple[str, str]], *, as_role: bool = False) -> list[tuple[str, str]]:
    """For the caller's transaction, CREATE on schema s to role r for each (s, r) that lacks it
    and exists: a non-superuser may give an object (ALTER ... OWNER TO r) only to a role that
    may create in the object's schema, and with `as_role` (the caller will SET ROLE r and create
    there itself) any administrator must lend it. Returns what it granted, for `take_back_create`."""
    lent = []
    for schema, role in pairs:
        rows = _fetch(conn, "select pg_catalog.to_regrole(%s) is not null and pg_catalog.to_regnamespace(%s) is not null"
                            " and not pg_catalog.has_schema_privilege(%s, %s, 'CREATE')"
                            " and (%s or not (select s.rolsuper from pg_catalog.pg_roles as s"
                            "                 where s.rolname operator(pg_catalog.=) current_user))",
                      (role, schema, role, schema, as_role))
        if rows[0][0]:
            conn.execute(sql.SQL("grant create on schema {} to {}").format(sql.Identifier(schema), sql.Identifier(role)))
            lent.append((schema, role))
    return lent


def take_back_create(conn: psycopg.Connection[Any], lent: list[tuple[str, str]]) -> None:
    for schema, role in lent:
        if _fetch(conn, "select pg_catalog.to_regrole(%s) is not null and pg_catalog.to_regnamespace(%s) is not null",
                  (role, schema))[0][0]:  # a rollback may have dropped either
            conn.execute(sql.SQL("revoke create on schema {} from {}").format(sql.Identifier(schema), sql.Identifier(role)))


def lower(conn: psycopg.Connection[Any], granted: list[str]) -> None:
    """Revoke what `elevate` granted, before the transaction commits."""
    conn.execute("reset role")
    for role in granted:
        if _fetch(conn, "select pg_catalog.to_regrole(%s) is not null", (role,))[0][0]:  # a rollback of 0001 drops the roles
            conn.execute(sql.SQL("revoke {} from current_user").format(sql.Identifier(role)))


@contextmanager
def acting_as(conn: psycopg.Connection[Any], roles: Roles, kind: str) -> Iterator[None]:
    """One transaction run as the install's `kind` role (SET LOCAL ROLE), however privileged the
    login: anything a table's former owner attached runs with that role's rights, never the
    administrator's. The administrator is a member of it only inside this transaction."""
    with conn.transaction():
        granted = elevate(conn, [roles.name(kind)])
        conn.execute(sql.SQL("set local role {}").format(sql.Identifier(roles.name(kind))))
        yield
        lower(conn, granted)
