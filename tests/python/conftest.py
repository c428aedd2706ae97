"""Fixtures: fresh real databases (from DATABASE_URL) and the app's login role."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import tokens
from dbtools import APP_LOGIN, APP_PASSWORD, Route, admin_conninfo, app_conninfo, ensure_app_login, fresh_database
from pgbouncer import pgbouncer, through

from threadguard import partitions, runner


def pytest_configure(config: pytest.Config) -> None:
    """A parallel worker (pytest-xdist, tests/run.sh) runs on a cluster of its own: the N-th of
    the throwaway clusters tests/with_db.sh started, so workers share no roles or pg_cron jobs."""
    if SEALED:
        tokens.present_tokens_everywhere()
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    urls, logs = os.environ.get("TG_DATABASE_URLS", "").split(), os.environ.get("TG_SERVER_LOGS", "").split()
    if worker.startswith("gw") and len(urls) > int(worker[2:]):
        os.environ["DATABASE_URL"] = urls[int(worker[2:])]
        if len(logs) == len(urls):
            os.environ["TG_SERVER_LOG"] = logs[int(worker[2:])]


@pytest.fixture
def empty_db() -> Iterator[str]:
    """A new, empty database (superuser conninfo)."""
    with fresh_database("tg_empty") as conninfo:
        yield conninfo


# TG_TEST_PARTITIONS=N: every migrated database gets the partitioned layout (`threadguard partition`);
# tests/python/test_partitions.py runs the saver and isolation suites so.
PARTITIONS = int(os.environ.get("TG_TEST_PARTITIONS", "0"))
# TG_TEST_SEALED=1: every migrated database is sealed, and every acting_as presents a token the test
# issuer signed (tests/python/tokens.py); tests/python/test_sealed.py runs the saver and conformance suites so.
SEALED = os.environ.get("TG_TEST_SEALED") == "1"


@pytest.fixture(scope="module")
def migrated_db() -> Iterator[str]:
    """A freshly migrated database shared by one test module (superuser conninfo)."""
    with fresh_database("tg_migrated") as conninfo:
        runner.migrate(conninfo)
        if PARTITIONS:
            partitions.partition(conninfo, PARTITIONS)
        if SEALED:
            tokens.seal(conninfo)
        ensure_app_login(conninfo)
        yield conninfo


@pytest.fixture(scope="module")
def app_db(migrated_db: str) -> str:
    """The migrated database, as the application's login role (granted threadguard_app)."""
    return app_conninfo(migrated_db)


@pytest.fixture(scope="session")
def bouncer() -> Iterator[str]:
    """A PgBouncer in transaction mode in front of the test server, for the app's login:
    clients taking turns are handed the same server connections."""
    ensure_app_login(admin_conninfo())
    with pgbouncer(admin_conninfo(), {APP_LOGIN: APP_PASSWORD}) as template:
        yield template


@pytest.fixture(params=["direct", "prepared", "pgbouncer"])
def app(request: pytest.FixtureRequest, app_db: str) -> Route:
    """The application's route to the migrated database: direct with the binding's defaults, direct with
    plans kept (prepare_threshold=0, as docs/binding.md advises on a direct connection), or through PgBouncer."""
    if request.param == "direct":
        return Route("direct", app_db)
    if request.param == "prepared":
        return Route("prepared", app_db, {"prepare_threshold": 0})
    template = request.getfixturevalue("bouncer")
    return Route("pgbouncer", through(template, app_db), {"prepare_threshold": None})


def pytest_collection_finish(session: pytest.Session) -> None:
    """pg_cron runs a job at the next minute: when test_schedule is selected, schedule its job now, so
    that the minute has usually passed by the time the test runs (it waits for the rest)."""
    for item in session.items:
        module = getattr(item, "module", None)
        if module is not None and module.__name__ == "test_schedule":
            try:
                module.STARTED = module.schedule()
            except Exception as exc:  # raised by the test itself, not by collection
                module.STARTED = exc
            return


def pytest_sessionfinish(session: pytest.Session) -> None:
    import sys

    module = sys.modules.get("test_schedule")
    started = getattr(module, "STARTED", None)
    if started is not None and not isinstance(started, BaseException):
        started.cleanup.close()  # the test did not run: unschedule and drop its database
