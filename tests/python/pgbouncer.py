"""A real PgBouncer (Debian's `pgbouncer`) in front of the test server: transaction
pooling on a free loopback port, started for the test session and stopped after it.
Server connections are handed out last-released-first, so clients that take turns
share them (tests/python/test_pool_reuse.py checks that they did).

The pool has a server connection per client the tests run at once, never fewer:
PgBouncer 1.18 (Debian 12's) leaves a server connection linked to a client that
sent a Flush after its Sync, which psycopg does when it leaves a pipeline before
every result has arrived (pgbouncer/pgbouncer#759). A client waiting for that
server connection then waits until the other client's next request: with one
server connection for two clients taking turns, forever. Seen here with the
stock saver and no threadguard at all."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def pgbouncer(server_conninfo: str, users: dict[str, str], pool_size: int = 8, query_wait_timeout: int = 120) -> Iterator[str]:
    """Yields a conninfo template (no user or database) that reaches the server of
    `server_conninfo` through PgBouncer in transaction mode, for the given logins."""
    binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    if not Path(binary).exists():
        raise RuntimeError("pgbouncer not found: apt-get install pgbouncer (make deps does it as root)")
    server = conninfo_to_dict(server_conninfo)
    target = " ".join(f"{k}={server[k]}" for k in ("host", "port") if server.get(k))
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="tg-pgbouncer-") as tmp:
        root = Path(tmp)
        (root / "users.txt").write_text("".join(f'"{u}" "{p}"\n' for u, p in users.items()), encoding="utf-8")
        (root / "pgbouncer.ini").write_text(
            f"""[databases]
* = {target}
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {root / "users.txt"}
pool_mode = transaction
server_round_robin = 0
default_pool_size = {pool_size}
query_wait_timeout = {query_wait_timeout}
max_client_conn = 200
ignore_startup_parameters = extra_float_digits,options
logfile = {root / "pgbouncer.log"}
pidfile = {root / "pgbouncer.pid"}
""",
            encoding="utf-8",
        )
        command = [binary, str(root / "pgbouncer.ini")]
        if os.geteuid() == 0:  # PgBouncer refuses to run as root
            shutil.chown(root, "postgres")
            for f in root.iterdir():
                shutil.chown(f, "postgres")
            command = ["runuser", "-u", "postgres", "--", *command]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        template = f"host=127.0.0.1 port={port}"
        try:
            _wait_ready(process, make_conninfo(template, dbname="pgbouncer", user=next(iter(users))), root)
            yield template
        finally:
            process.terminate()
            process.wait(timeout=10)


def _wait_ready(process: subprocess.Popen[bytes], probe: str, root: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = (root / "pgbouncer.log").read_text() if (root / "pgbouncer.log").exists() else ""
            raise RuntimeError(f"pgbouncer exited ({process.returncode}): {process.stderr.read().decode() if process.stderr else ''}{log}")
        try:
            with socket.create_connection(("127.0.0.1", int(conninfo_to_dict(probe)["port"])), timeout=1):
                return
        except OSError:
            time.sleep(0.05)  # readiness poll, not timing
    raise RuntimeError("pgbouncer did not start listening within 15 s")


def through(template: str, conninfo: str) -> str:
    """`conninfo` (a database and login) routed through the PgBouncer of `template`."""
    params = conninfo_to_dict(conninfo)
    return make_conninfo(template, dbname=params["dbname"], user=params["user"], password=params.get("password", ""))


def server_pid(conninfo: str) -> int:
    with psycopg.connect(conninfo, autocommit=True, prepare_threshold=None) as conn:
        return int(conn.execute("select pg_backend_pid()").fetchone()[0])  # type: ignore[index]
