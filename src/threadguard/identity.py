"""Who the current code acts for: one user of one tenant, in a `contextvars.ContextVar` set by
`acting_as(...)`. It follows the code that runs inside the block: threads LangGraph starts with a
copied context, asyncio tasks, and LangGraph's background checkpoint writers. The binding
(threadguard.binding) sends it with every statement; nothing else reads it. With a token (sealed
identity, docs/sealed.md) the binding sends the token instead of the ids, and the database takes
the identity from the token alone."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from uuid import UUID


@dataclass(frozen=True, slots=True)
class Identity:
    """Who the current code acts for: one user of one tenant."""

    tenant_id: UUID
    user_id: UUID
    token: str | None = None
    # What the binding sends for it, made once here rather than for every statement.
    params: tuple[str, ...] = field(init=False, repr=False, compare=False)
    wire: tuple[bytes, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        params = (self.token,) if self.token is not None else (str(self.tenant_id), str(self.user_id))
        object.__setattr__(self, "params", params)
        object.__setattr__(self, "wire", tuple(param.encode() for param in params))


_identity: ContextVar[Identity | None] = ContextVar("threadguard_identity", default=None)


def current_identity() -> Identity | None:
    """The identity bound by the innermost `acting_as` block, or None."""
    return _identity.get()


@contextlib.contextmanager
def acting_as(tenant_id: UUID | str, user_id: UUID | str, *, token: str | None = None) -> Iterator[Identity]:
    """Everything in this block (sync or async, and LangGraph's background writes)
    runs as this tenant and user. Raises ValueError for ids that are not uuids.
    With `token` (a JSON Web Token the identity provider signed for this tenant and
    user), every transaction presents the token instead of the ids; a sealed database
    opens rows only to it (the ids then only build store namespaces on this side)."""
    if token is not None and (not token or not token.isascii() or any(c.isspace() for c in token)):
        raise ValueError("threadguard: token must be a compact JSON Web Token (header.payload.signature)")
    identity = Identity(_as_uuid(tenant_id, "tenant_id"), _as_uuid(user_id, "user_id"), token)
    bound = _identity.set(identity)
    try:
        yield identity
    finally:
        _identity.reset(bound)


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


_NOBODY = ("", "")
_NOBODY_WIRE = (b"", b"")


def _identity_params() -> tuple[str, ...]:
    """What the binding sends: (tenant_id, user_id), or (token,) for a sealed identity; ('', '') for nobody."""
    identity = _identity.get()
    return _NOBODY if identity is None else identity.params


def _identity_wire() -> tuple[bytes, ...]:
    """The same, encoded as it goes out (text parameters)."""
    identity = _identity.get()
    return _NOBODY_WIRE if identity is None else identity.wire
