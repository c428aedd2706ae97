"""What threadguard relies on in LangGraph, and the drift gate: the LangGraph tables' schema
versions threadguard's migrations and policies are written for, against those the installed
langgraph-checkpoint-postgres expects. Opening a bound connection or pool refuses a mismatch at
once (a policy written for other columns would not hold); `threadguard verify` reports it.
tests/python/test_upstream.py pins the rest of what the binding reads in LangGraph's code
(statement texts, method names); `make canary` runs the suites on the newest LangGraph."""

from __future__ import annotations

import functools
from importlib import metadata

# The LangGraph schema versions threadguard protects (max(v) of checkpoint_migrations and
# store_migrations): langgraph-checkpoint-postgres 3.1-3.2.
CHECKPOINT_SCHEMA = 9
STORE_SCHEMA = 3
# The releases the suites ran against (pyproject.toml pins the range).
CHECKED_AGAINST = {"langgraph-checkpoint-postgres": "3.2.0", "langgraph-checkpoint": "4.3.2", "psycopg": "3.3.9"}


class LangGraphSchemaError(RuntimeError):
    """The installed langgraph-checkpoint-postgres expects LangGraph tables at a schema version other
    than the one threadguard protects."""


def installed_schemas() -> tuple[int, int]:
    """(checkpoint, store) schema versions the installed LangGraph saver and store expect."""
    from langgraph.checkpoint.postgres.base import BasePostgresSaver
    from langgraph.store.postgres.base import BasePostgresStore

    return len(BasePostgresSaver.MIGRATIONS) - 1, len(BasePostgresStore.MIGRATIONS) - 1


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def drift() -> str | None:
    """One line naming the two versions and what to do, or None when they agree."""
    checkpoint, store = installed_schemas()
    if (checkpoint, store) == (CHECKPOINT_SCHEMA, STORE_SCHEMA):
        return None
    return (
        f"threadguard: the installed langgraph-checkpoint-postgres {_version('langgraph-checkpoint-postgres')} expects "
        f"checkpoint schema version {checkpoint} and store schema version {store}; threadguard protects checkpoint "
        f"schema {CHECKPOINT_SCHEMA} and store schema {STORE_SCHEMA} (langgraph-checkpoint-postgres 3.1-3.2). "
        "Install a release it supports (pip install 'langgraph-checkpoint-postgres>=3.1,<3.3'), or upgrade threadguard "
        "to one that supports this one and have the DBA run `threadguard migrate`."
    )


@functools.cache
def require_supported() -> None:
    """Raise LangGraphSchemaError on drift; checked once per process (the installed code does not change)."""
    problem = drift()
    if problem is not None:
        raise LangGraphSchemaError(problem)
