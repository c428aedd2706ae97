"""`threadguard verify`: runs the rules in sql/checks/ (one query per file, see its README) and
reports their rows. `migrate` asks the same rules which problems re-applying sql/ repairs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg.rows import tuple_row

from threadguard import roles as tg_roles
from threadguard import upstream
from threadguard.paths import sql_dir
from threadguard.roles import Roles
from threadguard.runner import MigrationState, states
from threadguard.session import connect


@dataclass(frozen=True)
class Finding:
    """One row of a rule: what, the problem, its fix, and whether `threadguard migrate` repairs it."""

    rule: str
    object: str
    problem: str
    fix: str
    repairable: bool

    def __str__(self) -> str:
        said = self.problem if self.object in self.problem else f"{self.object}: {self.problem}"
        return f"{said} ({self.fix})"


def check_files() -> list[Path]:
    return sorted((sql_dir() / "checks").glob("*.sql"))


def _scans_data(path: Path) -> bool:
    return path.read_text(encoding="utf-8").startswith("-- scans: data")


def findings(conn: psycopg.Connection[Any], roles: Roles, *, data: bool = True, rules: list[str] | None = None) -> list[Finding]:
    """Every rule's rows on `conn` (inside the caller's transaction, each rule in a savepoint: a
    rule that cannot run is itself a finding). data=False skips the rules that scan table contents."""
    found: list[Finding] = []
    for path in check_files():
        if (rules is not None and path.stem not in rules) or (not data and _scans_data(path)):
            continue
        try:
            with conn.transaction(), conn.cursor(row_factory=tuple_row) as cur:
                rows = cur.execute(roles.substitute(path.read_text(encoding="utf-8")).encode()).fetchall()
        except psycopg.Error as exc:
            found.append(Finding(path.stem, f"rule {path.stem}", f"could not run: {str(exc).strip().splitlines()[0]}",
                                 "run verify as the database's administrator", False))
            continue
        found += [Finding(path.stem, str(o), str(p), str(f), bool(r)) for o, p, f, r in rows]
    return found


def inspect(conninfo: str, *, data: bool = True, rules: list[str] | None = None) -> list[Finding] | list[str]:
    """The findings on an installed, fully migrated database; else the one line that says what to
    run first. Reads only, in a transaction it rolls back, as a member of the owner and admin roles (an
    administrator is lent them there)."""
    with connect(conninfo) as conn:
        return inspect_on(conn, states(conn), data=data, rules=rules)


def inspect_on(conn: psycopg.Connection[Any], migrations: list[MigrationState], *, data: bool = True,
               rules: list[str] | None = None) -> list[Finding] | list[str]:
    """inspect() on an open DBA connection (autocommit), given the migrations' states."""
    pending = [m.id for m in migrations if m.applied_at is None]
    roles = tg_roles.installed(conn)
    if roles is None:
        return ["threadguard is not installed in this database: schema threadguard does not exist (run `threadguard migrate`)"]
    if pending:
        return [f"migrations not applied: {', '.join(pending)} (run `threadguard migrate`)"]
    with conn.transaction(force_rollback=True):
        refused: list[Finding] = []
        try:
            tg_roles.elevate(conn, [roles.owner, roles.admin])  # admin: the counts of unowned rows
        except PermissionError as exc:
            refused.append(Finding("verify", roles.owner, f"verify could not act as {roles.owner}: {exc}",
                                   "run verify as the database's administrator", False))
        return refused + findings(conn, roles, data=data, rules=rules)


def verify(conninfo: str, *, data: bool = True) -> list[str]:
    """What the live database lacks of what threadguard requires, one line each; empty when all holds.
    First, whether the LangGraph installed beside this threadguard expects the schema it protects."""
    drifted = upstream.drift()
    return ([drifted] if drifted else []) + [str(f) for f in inspect(conninfo, data=data)]
