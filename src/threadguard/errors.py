"""What PostgreSQL's refusals mean, raised as threadguard's errors: a write refused for ownership
(an ownership key or a policy's check) as ThreadNotOwnedError or NamespaceNotOwnedError, LangGraph's
setup() meeting a schema it may not change as SetupBelongsToMigrateError, a store with vector search
as VectorSearchUnsupportedError. Matched on SQLSTATE, constraint names and reporting functions
(structured fields, the same in every lc_messages), and on statement texts where PostgreSQL gives
nothing else."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

import psycopg

# The ownership foreign keys of migration 0009, and the PostgreSQL function that
# reports a row refused by a policy's WITH CHECK (or an upsert meeting a row the
# UPDATE policy hides): structured fields, the same in every lc_messages.
OWNERSHIP_KEYS = frozenset(f"{t}_thread_owner_fkey" for t in ("checkpoints", "checkpoint_blobs", "checkpoint_writes"))
_POLICY_CHECK = "ExecWithCheckOptions"


class ThreadNotOwnedError(psycopg.errors.InsufficientPrivilege):
    """A write to a thread the current identity does not own (no conversation,
    someone else's, deleted, or no identity bound). SQLSTATE 42501; the error
    PostgreSQL raised is its __cause__."""


def is_refused_write(exc: BaseException) -> bool:
    """Whether exc is PostgreSQL refusing a write for ownership: an ownership foreign
    key (23503) or a row-level security policy's check (42501)."""
    if isinstance(exc, psycopg.errors.ForeignKeyViolation):
        return exc.diag.constraint_name in OWNERSHIP_KEYS
    if isinstance(exc, psycopg.errors.InsufficientPrivilege):
        return exc.diag.source_function == _POLICY_CHECK
    return False


class NamespaceNotOwnedError(psycopg.errors.InsufficientPrivilege):
    """A write to LangGraph's store outside the current identity's namespaces: its own
    (tenant_id, user_id, ...) and its tenant's shared (tenant_id, "shared", ...); or no
    identity bound. SQLSTATE 42501; the error PostgreSQL raised is its __cause__."""


class SetupBelongsToMigrateError(psycopg.errors.InsufficientPrivilege):
    """PostgresSaver.setup() or PostgresStore.setup() found LangGraph's tables missing or at a
    schema version other than the one it expects: under threadguard the application's role
    creates nothing, and LangGraph's tables are set up by `threadguard migrate`. (At the version
    it expects, setup() succeeds and does nothing.) SQLSTATE 42501."""


class VectorSearchUnsupportedError(psycopg.errors.FeatureNotSupported):
    """A PostgresStore with an index config (vector search) on threadguard's database:
    the protected store has no store_vectors table (pgvector is not part of it), and the
    statement failed whole, writing nothing. SQLSTATE 0A000."""


# A policy check names the table it refused a row for; only LangGraph's store is called that.
_STORE_TABLE = re.compile(r"\bstore\b")

# What setup() does next: read the schema version it finds (then, if behind, change the tables).
_SETUP_VERSION_TABLE = re.compile(r"\b(checkpoint|store|vector)_migrations\b")
_DDL = re.compile(r"(\s|--[^\n]*(\n|$)|/\*.*?\*/)*(create|alter|drop)\b", re.IGNORECASE | re.DOTALL)  # after any comments
# PostgreSQL's refusals of DDL (English messages; a DDL statement is recognised by its text too).
_DDL_REFUSED = re.compile(r"(must be owner of |permission denied for schema )")


@contextlib.contextmanager
def _refusals(query: Any = None) -> Iterator[None]:
    """Raise a refused write as ThreadNotOwnedError (checkpoints) or NamespaceNotOwnedError
    (the store), LangGraph's setup() as SetupBelongsToMigrateError, and a store's vector
    statement as VectorSearchUnsupportedError."""
    try:
        yield
    except psycopg.Error as exc:
        _raise_refusal(exc, query)
        raise


def _raise_refusal(exc: psycopg.Error, query: Any = None) -> None:
    """What _refusals raises instead of `exc` (nothing: `exc` stands), for the binding's paths that
    catch the error themselves."""
    if isinstance(exc, (ThreadNotOwnedError, NamespaceNotOwnedError, SetupBelongsToMigrateError,
                        VectorSearchUnsupportedError, SharedBatcherError)):
        return
    if isinstance(exc, psycopg.errors.InsufficientPrivilege) and (
            (isinstance(query, str) and _DDL.match(query))
            or (query is None and _DDL_REFUSED.match(exc.diag.message_primary or ""))):  # at a pipeline's sync
        raise SetupBelongsToMigrateError(
            "threadguard: LangGraph's saver or store wants to change its tables (setup() of a version whose schema this "
            "database is not at), and the application's role creates and alters nothing: LangGraph's tables are "
            "created and upgraded by `threadguard migrate`, run by the DBA, with a threadguard release that supports "
            "this langgraph-checkpoint-postgres (`threadguard verify` names the versions)."
        ) from exc
    if (isinstance(exc, psycopg.errors.UndefinedTable) and "vector_migrations" not in (exc.diag.message_primary or "")
            and _SETUP_VERSION_TABLE.search(exc.diag.message_primary or "")):
        raise SetupBelongsToMigrateError(
            "threadguard: LangGraph's tables are not set up in this database: run `threadguard migrate` (the DBA) "
            "before the application calls setup()."
        ) from exc
    if isinstance(exc, psycopg.errors.UndefinedTable) and any(
            t in (exc.diag.message_primary or "") for t in ("store_vectors", "vector_migrations")):
        raise VectorSearchUnsupportedError(
            "threadguard: the protected store has no vector search (no store_vectors table, no pgvector), so a "
            "PostgresStore with an index config cannot write or search; nothing was written. Create the store "
            "without index=... (search then filters by namespace and value)."
        ) from exc
    if not is_refused_write(exc):
        return
    if _STORE_TABLE.search(exc.diag.message_primary or ""):  # the table's name, whatever lc_messages quotes it with
        raise NamespaceNotOwnedError(
            "threadguard: refused a store write: the namespace is not one of the identity this code runs as (or no "
            "identity is bound). Keep a user's items under (tenant_id, user_id, ...) and the tenant's shared items "
            "under (tenant_id, \"shared\", ...): threadguard.user_namespace(...) and threadguard.tenant_namespace(...) "
            "build them, inside threadguard.acting_as(tenant_id, user_id)."
        ) from exc
    raise ThreadNotOwnedError(
        "threadguard: refused a write: the thread is not a conversation of the identity this code runs as "
        "(or no identity is bound). Create the conversation first (threadguard.create_conversation), use its "
        "id as LangGraph's thread_id in canonical form (lower case, as str(uuid.UUID(...)) writes it), and run "
        "the graph inside threadguard.acting_as(tenant_id, user_id)."
    ) from exc


class SharedBatcherError(psycopg.ProgrammingError):
    """AsyncPostgresStore's own aget/aput/asearch/... hand every caller's operations to
    one background task, which merges those of concurrent callers into one batch and
    runs it in the context of whoever created the store: no caller's identity can reach
    it. threadguard refuses such a batch; use threadguard.async_store(...)."""
