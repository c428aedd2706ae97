"""Fixtures: fresh real databases (from DATABASE_URL) and the app's login role."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from dbtools import APP_LOGIN, APP_PASSWORD, Route, admin_conninfo, app_conninfo, ensure_app_login, fresh_database
from pgbouncer import pgbouncer, through

from threadguard import runner


@pytest.fixture
def empty_db() -> Iterator[str]:
    """A new, empty database (superuser conninfo)."""
    with fresh_database("tg_empty") as conninfo:
        yield conninfo


@pytest.fixture(scope="module")
def migrated_db() -> Iterator[str]:
    """A freshly migrated database shared by one test module (superuser conninfo)."""
    with fresh_database("tg_migrated") as conninfo:
        runner.migrate(conninfo)
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


@pytest.fixture(params=["direct", "pgbouncer"])
def app(request: pytest.FixtureRequest, app_db: str) -> Route:
    """The application's route to the migrated database: direct, or through PgBouncer."""
    if request.param == "direct":
        return Route("direct", app_db)
    template = request.getfixturevalue("bouncer")
    return Route("pgbouncer", through(template, app_db), {"prepare_threshold": None})
