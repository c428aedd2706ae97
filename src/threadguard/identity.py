"""Who the current code acts for: one user of one tenant, in a `contextvars.ContextVar` set by
`acting_as(...)`. It follows the code that runs inside the block: threads LangGraph starts with a
copied context, asyncio tasks, and LangGraph's background checkpoint writers. The binding
(threadguard.binding) sends it with every statement; nothing else reads it."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True, slots=True)
class Identity:
    """Who the current code acts for: one user of one tenant."""

    tenant_id: UUID
    user_id: UUID


_identity: ContextVar[Identity | None] = ContextVar("threadguard_identity", default=None)


def current_identity() -> Identity | None:
    """The identity bound by the innermost `acting_as` block, or None."""
    return _identity.get()


@contextlib.contextmanager
def acting_as(tenant_id: UUID | str, user_id: UUID | str) -> Iterator[Identity]:
    """Everything in this block (sync or async, and LangGraph's background writes)
    runs as this tenant and user. Raises ValueError for ids that are not uuids."""
    identity = Identity(_as_uuid(tenant_id, "tenant_id"), _as_uuid(user_id, "user_id"))
    token = _identity.set(identity)
    try:
        yield identity
    finally:
        _identity.reset(token)


def _as_uuid(value: UUID | str, name: str) -> UUID:
    if isinstance(value, UUID):
        result = value
    else:
        try:
            result = UUID(str(value))
        except ValueError:
            raise ValueError(f"threadguard: {name} must be a uuid, got {value!r}") from None
    if result.int == 0:
        raise ValueError(f"threadguard: {name} must not be the nil uuid")
    return result


def _identity_params() -> tuple[str, str]:
    identity = _identity.get()
    if identity is None:
        return ("", "")
    return (str(identity.tenant_id), str(identity.user_id))
