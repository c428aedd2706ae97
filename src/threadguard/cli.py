"""The `threadguard` command: migrate, rollback, status, verify."""

from __future__ import annotations

import argparse
import os
import sys

import psycopg

from threadguard import runner


def _conninfo(args: argparse.Namespace) -> str:
    # An empty conninfo lets libpq use the standard PG* variables.
    return args.database or os.environ.get("DATABASE_URL", "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="threadguard", description=__doc__)
    parser.add_argument(
        "--database",
        help="libpq connection string or URL (default: $DATABASE_URL, else the PG* variables)",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    migrate = sub.add_parser("migrate", help="apply pending migrations and the SQL definitions")
    migrate.add_argument("--to", metavar="ID", help="stop after this migration (definitions wait for the last one)")
    rollback = sub.add_parser("rollback", help="roll back the latest migration (keeps checkpoint rows)")
    rollback.add_argument("--all", action="store_true", help="roll back every migration")
    sub.add_parser("status", help="list applied and pending migrations")
    sub.add_parser("verify", help="check the live database against what threadguard requires")
    args = parser.parse_args(argv)
    conninfo = _conninfo(args)

    try:
        if args.command == "migrate":
            applied = runner.migrate(conninfo, target=args.to)
            listed = f": {', '.join(applied)}" if applied else ""
            tail = "; sql/ definitions applied" if args.to is None else " (definitions wait for the last migration)"
            print(f"applied {len(applied)} migration(s){listed}{tail}")
        elif args.command == "rollback":
            done = runner.rollback(conninfo, all_migrations=args.all)
            print(f"rolled back {len(done)} migration(s){': ' + ', '.join(done) if done else ''}")
        elif args.command == "status":
            for state in runner.status(conninfo):
                when = state.applied_at.isoformat(sep=" ", timespec="seconds") if state.applied_at else "pending"
                print(f"{state.id:40} {when}")
        else:
            problems = runner.verify(conninfo)
            for problem in problems:
                print(f"threadguard verify: {problem}")
            if problems:
                return 1
            print("threadguard verify: ok")
    except runner.MigrationError as exc:
        print(f"threadguard {args.command}: {exc}", file=sys.stderr)
        return 1
    except psycopg.OperationalError as exc:
        print(
            f"threadguard {args.command}: cannot connect ({str(exc).strip()}); "
            "pass --database or set DATABASE_URL / PGHOST, PGDATABASE, PGUSER",
            file=sys.stderr,
        )
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
