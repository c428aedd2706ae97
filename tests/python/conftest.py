"""Fixtures: fresh real databases (from DATABASE_URL) and the app's login role."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from dbtools import app_conninfo, ensure_app_login, fresh_database

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
