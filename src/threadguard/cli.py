"""The `threadguard` command: migrate, rollback, status, verify, break-lock, partition, seal, unseal (the
DBA's), adopt, retention, erase, export, sweep-store, row-counts, keys (the operators').

Exit codes: 0 done (verify: nothing wrong); 1 verify found problems, or a migration
failed and was rolled back; 2 bad usage, no database named, or no connection;
3 the connected role lacks a privilege the command needs.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import sys
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict

from threadguard import __version__, adoption, operations, partitions, runner, sealing
from threadguard.roles import NotInstalledError

EXIT_PROBLEMS, EXIT_USAGE, EXIT_PRIVILEGE = 1, 2, 3
# SQLAlchemy-style and legacy URL schemes, as FastAPI projects write them.
_SCHEME = re.compile(r"^(postgres|postgresql)(\+[a-z0-9_]+)?://", re.IGNORECASE)
_LIBPQ_VARIABLES = ("PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE")


_ADOPT_HINT = 'threadguard adopt --owners "select thread_id, tenant_id, user_id[, title] from <your records>"'


class UsageError(Exception):
    """A command line or environment the command cannot work with; the message says why."""


def conninfo(database: str | None) -> str:
    """The libpq connection string to use: --database, else $DATABASE_URL, else the PG*
    variables. Refuses to fall back on libpq's built-in defaults, which nobody announced."""
    given = database or os.environ.get("DATABASE_URL", "")
    if not given:
        if any(os.environ.get(v) for v in _LIBPQ_VARIABLES):
            return ""
        raise UsageError("no database named: pass --database URL, or set DATABASE_URL or the PG* variables (PGHOST, PGDATABASE, ...)")
    given = _SCHEME.sub("postgresql://", given.strip(), count=1)
    try:
        conninfo_to_dict(given)
    except psycopg.ProgrammingError as exc:
        raise UsageError(f"cannot read the connection string: {exc}") from None
    return given


def _announce(command: str, info: str) -> None:
    """Say which database the command works on, before it does anything."""
    with psycopg.connect(info, autocommit=True) as conn:
        row = conn.execute("select pg_catalog.current_database(), current_user").fetchone()
        host, port = conn.info.host, conn.info.port
    if row is None:
        raise UsageError("the server returned no session information")
    database, role = row
    where = f"socket {host}:{port}" if host.startswith("/") else f"{host}:{port}"
    print(f"threadguard {command}: database {database} on {where} as {role}", file=sys.stderr)


def _progress(line: str) -> None:
    """A progress line: rewritten in place on a terminal, one line each in a log (cron, CI)."""
    if sys.stderr.isatty():
        print(f"\r{line}", end="", file=sys.stderr, flush=True)
    else:
        print(line, file=sys.stderr, flush=True)


def _progress_done() -> None:
    if sys.stderr.isatty():
        print(file=sys.stderr)


def _dbname(info: str) -> str:
    try:
        return str(conninfo_to_dict(info).get("dbname") or os.environ.get("PGDATABASE") or "?")
    except psycopg.ProgrammingError:
        return "?"


def _uuid(text: str) -> str:
    """An argument that must be a uuid: refused by the command line (exit 2), before any connection."""
    try:
        return str(uuid.UUID(text))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a uuid: {text!r}") from None


def _reason(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("a reason is required (it is recorded in threadguard.audit_log)")
    return text


def _between(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low:,} and {high:,} (got {value})")
        return value

    return parse


def _batch(limit: int) -> Callable[[str], int]:
    return _between(1, limit)


def _parser() -> argparse.ArgumentParser:
    database = argparse.ArgumentParser(add_help=False)
    database.add_argument("--database", default=argparse.SUPPRESS,
                          help="libpq connection string or URL, postgresql+psycopg:// accepted "
                               "(default: $DATABASE_URL, else the PG* variables)")
    parser = argparse.ArgumentParser(prog="threadguard", description=__doc__, parents=[database],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"threadguard {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    migrate = sub.add_parser("migrate", parents=[database], help="apply pending migrations and the SQL definitions")
    migrate.add_argument("--to", metavar="ID", help="stop after this migration (definitions wait for the last one)")
    migrate.add_argument("--dry-run", action="store_true", help="print what would be applied, change nothing")
    migrate.add_argument("--role-prefix", metavar="PREFIX",
                         help="name this database's roles PREFIX_owner, PREFIX_app, ... (default: tg_<database>; fixed once installed)")
    migrate.add_argument("--lock-timeout", default=runner.DDL_LOCK_TIMEOUT, metavar="DURATION",
                         help=f"longest wait for a table lock per attempt (default {runner.DDL_LOCK_TIMEOUT})")
    migrate.add_argument("--lock-attempts", type=_batch(100), default=runner.LOCK_ATTEMPTS, metavar="N",
                         help=f"attempts before giving up (default {runner.LOCK_ATTEMPTS})")
    rollback = sub.add_parser("rollback", parents=[database], help="roll back the latest migration (keeps checkpoint rows)")
    rollback.add_argument("--all", action="store_true", help="roll back every migration")
    sub.add_parser("status", parents=[database], help="list applied and pending migrations (changes nothing)")
    sub.add_parser("break-lock", parents=[database], help="remove the migration lock a killed migrate or rollback left")
    dump = sub.add_parser("export", parents=[database], help="one JSON line per conversation and per store item of a user or tenant, decoded (audited)")
    dump.add_argument("--tenant", required=True, metavar="UUID", type=_uuid)
    dump.add_argument("--user", metavar="UUID", type=_uuid, help="one user of the tenant (default: the whole tenant)")
    dump.add_argument("--reason", required=True, type=_reason, help="why, recorded in threadguard.audit_log")
    dump.add_argument("--output", metavar="FILE", help="where to write (default: standard output)")
    keep = sub.add_parser("retention", parents=[database], help="apply the retention policies to every conversation (audited)")
    keep.add_argument("--dry-run", action="store_true", help="count what would be removed, remove nothing")
    keep.add_argument("--batch-size", type=_batch(10_000), default=500, metavar="N", help="conversations per transaction (default 500)")
    erase = sub.add_parser("erase", parents=[database], help="erase one user of a tenant, or a whole tenant, with proof (audited)")
    erase.add_argument("--tenant", required=True, metavar="UUID", type=_uuid)
    erase.add_argument("--user", metavar="UUID", type=_uuid, help="one user of the tenant (default: the whole tenant)")
    erase.add_argument("--reason", required=True, type=_reason, help="why, recorded in threadguard.audit_log")
    erase.add_argument("--batch-size", type=_batch(10_000), default=500, metavar="N", help="conversations per transaction (default 500)")
    counts = sub.add_parser("row-counts", parents=[database],
                            help="rows per protected table and tenant, every tenant's: compare before a dump and after its restore (audited)")
    counts.add_argument("--reason", required=True, type=_reason, help="why, recorded in threadguard.audit_log")
    sweep = sub.add_parser("sweep-store", parents=[database], help="delete the store items whose TTL has passed, every tenant's (audited)")
    sweep.add_argument("--batch-size", type=_batch(100_000), default=10000, metavar="N", help="items per transaction (default 10000)")
    adopt = sub.add_parser("adopt", parents=[database], help="give an adopted LangGraph database's threads their owners, in batches")
    adopt.add_argument("--owners", required=True, metavar="SQL",
                       help="a query returning thread_id, tenant_id, user_id[, title] for each thread, from the application's records")
    adopt.add_argument("--batch-size", type=_batch(100_000), default=500, metavar="N", help="threads per transaction (default 500)")
    sub.add_parser("verify", parents=[database], help="check the live database against what threadguard requires (changes nothing)")
    split = sub.add_parser("partition", parents=[database],
                           help="rebuild the checkpoint tables hash-partitioned by thread_id, every row kept (one transaction)")
    split.add_argument("--partitions", type=_between(2, 1024), required=True, metavar="N", help="how many hash partitions (2 to 1024)")
    seal = sub.add_parser("seal", parents=[database],
                          help="open rows only to a transaction that presented a verified token (docs/sealed.md)")
    seal.add_argument("--issuer", metavar="ISS", help="the iss every token must carry")
    seal.add_argument("--audience", metavar="AUD", help="a value every token's aud must hold (required, or --any-audience)")
    seal.add_argument("--any-audience", action="store_true",
                      help="accept tokens whatever their aud: only for keys that sign tokens for this application alone")
    seal.add_argument("--tenant-claim", default="tenant_id", metavar="CLAIM", help="the claim naming the tenant (default tenant_id; dots reach into objects)")
    seal.add_argument("--user-claim", default="sub", metavar="CLAIM", help="the claim naming the user (default sub)")
    seal.add_argument("--claims-as", choices=("uuid", "hashed"), default="uuid",
                      help="uuid: the claims are uuids (default); hashed: any text, mapped to a uuid by SHA-256")
    seal.add_argument("--leeway", type=_between(0, 300), default=30, metavar="SECONDS", help="clock skew allowed on exp and nbf (default 30)")
    sub.add_parser("unseal", parents=[database], help="take the identity from app.tenant_id/app.user_id again")
    keys = sub.add_parser("keys", parents=[database], help="the keys sealed identity verifies tokens with")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True, metavar="list|add|remove")
    keys_sub.add_parser("list", parents=[database], help="kid, algorithm and date of every key")
    keys_add = keys_sub.add_parser("add", parents=[database], help="add the signing keys of a JWKS (RS256, HS256), audited")
    keys_add.add_argument("file", metavar="JWKS_FILE", help="a JSON Web Key Set or one key, as JSON; - reads standard input")
    keys_remove = keys_sub.add_parser("remove", parents=[database], help="remove a key: every token it verified stops working, audited")
    keys_remove.add_argument("kid", metavar="KID")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    command = args.command
    try:
        info = conninfo(getattr(args, "database", None))
        _announce(command, info)
        if command == "migrate":
            if args.dry_run:
                planned = runner.plan(info)
                print(f"would apply {len(planned.migrations)} migration(s)"
                      f"{': ' + ', '.join(planned.migrations) if planned.migrations else ''}; "
                      f"sql/ definitions {'would be applied' if planned.definitions else 'are current'}")
                if (adopting := adoption.adoption_preview(info)) is not None:
                    print(f"would adopt LangGraph's tables: {adopting:,} thread(s), every row kept; they will belong to "
                          f"nobody until {_ADOPT_HINT}")
                return 0
            applied = runner.migrate(info, target=args.to, role_prefix=args.role_prefix,
                                     locks=runner.Locks(args.lock_timeout, max(1, args.lock_attempts)))
            listed = f": {', '.join(applied)}" if applied else ""
            if args.to is not None:
                tail = " (definitions wait for the last migration)"
            else:
                tail = "; sql/ definitions applied" if applied.definitions else "; sql/ definitions already current, not touched"
            print(f"applied {len(applied)} migration(s){listed}{tail}")
            if "0003_langgraph_tables" in applied and (unowned := adoption.unowned_threads(info)):
                print(f"adopted LangGraph's tables: {unowned:,} thread(s) belong to nobody, invisible to every identity, until {_ADOPT_HINT}")
        elif command == "rollback":
            done = runner.rollback(info, all_migrations=args.all)
            print(f"rolled back {len(done)} migration(s){': ' + ', '.join(done) if done else ''}")
        elif command == "adopt":
            def progress(done: adoption.Adoption, total: int) -> None:
                seen = done.adopted + done.already + len(done.invalid)
                _progress(f"threadguard adopt: {seen:,}/{total:,} threads, {done.stamped:,} rows stamped")

            result = adoption.adopt(info, args.owners, batch_size=max(1, args.batch_size), progress=progress)
            _progress_done()
            for thread_id in result.invalid:
                print("threadguard adopt: not adopted (the thread id is not a canonical lower-case uuid, "
                      f"or its owner is not a valid pair of uuids): {thread_id}")
            print(f"adopted {result.adopted:,} thread(s), stamped {result.stamped:,} row(s); {result.already:,} already had a "
                  f"conversation; {len(result.invalid):,} cannot become conversations; {result.unowned_left:,} LangGraph "
                  "thread(s) still have no owner")
        elif command == "erase":
            def erased(done: int, remaining: int) -> None:
                _progress(f"threadguard erase: {done:,} conversation(s) and store item(s) erased, {remaining:,} left")

            left = operations.erase(info, args.tenant, args.user, args.reason, batch_size=args.batch_size, progress=erased)
            _progress_done()
            print(f"left: {left.conversations} conversation(s), {left.checkpoints} checkpoint(s), "
                  f"{left.checkpoint_blobs} blob(s), {left.checkpoint_writes} write(s), {left.store_items} store item(s)")
            if any(dataclasses.astuple(left)):
                return EXIT_PROBLEMS
        elif command == "export":
            from threadguard import export

            if args.output:
                # Written beside the target and renamed into place once whole: a failed export leaves no file.
                target = Path(args.output)
                if not target.parent.is_dir():
                    raise UsageError(f"--output {args.output}: directory {target.parent} does not exist")
                partial = target.with_name(f".{target.name}.partial")
                try:
                    with open(partial, "w", encoding="utf-8") as out:
                        n, items = export.export(info, args.tenant, args.user, args.reason, out)
                    partial.replace(target)
                finally:
                    partial.unlink(missing_ok=True)
            else:
                n, items = export.export(info, args.tenant, args.user, args.reason, sys.stdout)
            print(f"threadguard export: {n:,} conversation(s), {items:,} store item(s)", file=sys.stderr)
        elif command == "retention":
            def scanned(done: operations.Retention) -> None:
                _progress(f"threadguard retention: {done.scanned:,} conversation(s) scanned")

            kept = operations.retention(info, batch_size=args.batch_size, dry_run=args.dry_run, progress=scanned)
            _progress_done()
            verb = "would remove" if args.dry_run else "removed"
            print(f"{verb} {kept.conversations:,} idle conversation(s), {kept.checkpoints:,} checkpoint(s), "
                  f"{kept.checkpoint_blobs:,} blob(s), {kept.checkpoint_writes:,} write(s)")
        elif command == "sweep-store":
            def swept(done: int, remaining: int) -> None:
                _progress(f"threadguard sweep-store: {done:,} expired item(s) deleted, {remaining:,} left")

            n = operations.sweep_store(info, batch_size=args.batch_size, progress=swept)
            _progress_done()
            print(f"deleted {n:,} expired store item(s)")
        elif command == "row-counts":
            for line in operations.lines(operations.row_counts(info, args.reason)):
                print(line)
        elif command == "partition":
            partitions.partition(info, args.partitions, progress=lambda line: print(f"threadguard partition: {line}", file=sys.stderr))
            print(f"threadguard partition: the checkpoint tables are hash-partitioned by thread_id in {args.partitions} partitions")
        elif command == "seal":
            if args.audience is None and not args.any_audience:
                raise UsageError("name the audience tokens for this application carry (--audience AUD): an identity "
                                 "provider's key also signs tokens for its other APIs; --any-audience accepts them all")
            sealing.configure(info, issuer=args.issuer, audience=args.audience, tenant_claim=args.tenant_claim,
                              user_claim=args.user_claim, claims_as=args.claims_as, leeway=timedelta(seconds=args.leeway))
            changed = sealing.seal(info, True)
            print(f"threadguard seal: {'sealed' if changed else 'already sealed'}: rows open only to a verified token "
                  f"(iss {args.issuer or 'any'}, aud {args.audience or 'any'}, tenant {args.tenant_claim}, user {args.user_claim})")
        elif command == "unseal":
            changed = sealing.seal(info, False)
            print(f"threadguard unseal: {'unsealed' if changed else 'not sealed'}: the identity is app.tenant_id/app.user_id")
        elif command == "keys":
            if args.keys_command == "add":
                try:
                    text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8")
                    jwks = json.loads(text)
                except (OSError, ValueError) as exc:
                    raise UsageError(f"cannot read {args.file} as JSON: {exc}") from None
                print(f"threadguard keys: added {sealing.add_keys(info, jwks)} key(s)")
            elif args.keys_command == "remove":
                if not sealing.remove_key(info, args.kid):
                    raise UsageError(f"no key {args.kid!r} is configured (`threadguard keys list`)")
                print(f"threadguard keys: removed {args.kid}; the tokens it verified open nothing now")
            else:
                for kid, alg, added in sealing.keys(info):
                    print(f"{kid}\t{alg}\t{added.isoformat(sep=' ', timespec='seconds')}")
        elif command == "break-lock":
            runner.break_lock(info)
            print("threadguard break-lock: the migration lock is released")
        elif command == "status":
            installed = runner.installed_roles(info)
            print(f"roles: {', '.join(installed.all)}" if installed else "roles: none (threadguard is not installed here)")
            for state in runner.status(info):
                when = state.applied_at.isoformat(sep=" ", timespec="seconds") if state.applied_at else "pending"
                print(f"{state.id:40} {when}")
        else:
            problems = runner.verify(info)
            for problem in problems:
                print(f"threadguard verify: {problem}")
            if problems:
                return EXIT_PROBLEMS
            print("threadguard verify: ok")
    except UsageError as exc:
        print(f"threadguard {command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except PermissionError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_PRIVILEGE
    except (runner.MigrationError, NotInstalledError) as exc:
        print(f"threadguard {command}: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    except psycopg.OperationalError as exc:
        if exc.sqlstate and not exc.sqlstate.startswith("08"):  # raised by a statement (lock not available, ...), not the connection
            print(f"threadguard {command}: {type(exc).__name__}: {exc.diag.message_primary or str(exc).strip()}", file=sys.stderr)
            return EXIT_PROBLEMS
        if "CONNECT privilege" in str(exc):
            print(f"threadguard {command}: this login may not connect to database {_dbname(info)}: connect as its "
                  "administrator, or as a login granted one of its threadguard roles (`threadguard status` names them)",
                  file=sys.stderr)
            return EXIT_PRIVILEGE
        print(f"threadguard {command}: cannot connect ({str(exc).strip()}); "
              "pass --database or set DATABASE_URL / PGHOST, PGDATABASE, PGUSER", file=sys.stderr)
        return EXIT_USAGE
    except psycopg.errors.InsufficientPrivilege as exc:
        print(f"threadguard {command}: the connected role lacks a privilege: {exc.diag.message_primary}; "
              "run it as the database's administrator (its owner, with CREATEROLE) or, for the operator commands, "
              "as a login granted the install's _admin role (`threadguard status` names it)", file=sys.stderr)
        return EXIT_PRIVILEGE
    except psycopg.DataError as exc:  # class 22: an argument the database refused (bad input, not a failure)
        print(f"threadguard {command}: {exc.diag.message_primary or str(exc).strip().splitlines()[0]}", file=sys.stderr)
        return EXIT_USAGE
    except psycopg.Error as exc:
        print(f"threadguard {command}: {type(exc).__name__}: {exc.diag.message_primary or str(exc).strip()}", file=sys.stderr)
        return EXIT_PROBLEMS
    return 0


if __name__ == "__main__":
    sys.exit(main())
