"""FastAPI integration (the optional extra `threadguard[fastapi]`): what an application
needs to get threadguard right without copying code.

- `IdentityMiddleware(app, principal=...)`: the whole request runs as the identity
  `principal(request)` returns, including a streamed body and background tasks, which
  run after the handler has returned; None (no or a bad principal) runs it with no
  identity: nothing is visible and nothing can be written. With `token=bearer_token`
  (a sealed database, docs/sealed.md) the identity carries the request's bearer token,
  which the database verifies and takes the identity from.
- `install_error_handlers(app)`: threadguard's errors as HTTP answers with no database
  text in them: 404 for a thread that is absent, someone else's, deleted or spelled
  non-canonically (indistinguishable), 404 for a store write outside the caller's
  namespaces, 422 for malformed input, 401 without identity.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

import psycopg
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from threadguard.binding import NamespaceNotOwnedError, ThreadNotOwnedError, acting_as, current_identity

Principal = Callable[[Request], "tuple[UUID | str, UUID | str] | None"]
TokenSource = Callable[[Request], "str | None"]

# SQLSTATEs of malformed input from the SQL API and PostgreSQL's casts (README: error contract).
_MALFORMED = (
    psycopg.DataError,  # class 22, and psycopg's own refusal of a NUL byte in text (no SQLSTATE)
    psycopg.errors.ProgramLimitExceeded,  # 54000: e.g. a key too long for its index
    psycopg.errors.InvalidTextRepresentation,  # 22P02: not a uuid
    psycopg.errors.InvalidParameterValue,  # 22023: bad title, limit, cursor
    psycopg.errors.NullValueNotAllowed,  # 22004: null id
    psycopg.errors.NumericValueOutOfRange,  # 22003: a limit beyond integer
    psycopg.errors.DatatypeMismatch,  # 42804
    psycopg.errors.UndefinedFunction,  # 42883: an argument of the wrong type
)


class IdentityMiddleware:
    """Pure ASGI middleware: the request, its streamed response and its background tasks
    all run inside `acting_as(*principal(request))`."""

    def __init__(self, app: ASGIApp, principal: Principal, token: TokenSource | None = None) -> None:
        self.app = app
        self.principal = principal
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with contextlib.ExitStack() as identity:
            try:
                request = Request(scope, receive)
                who = self.principal(request)
                token = self.token(request) if self.token is not None else None
                if who is not None and (self.token is None or token):
                    identity.enter_context(acting_as(*who, token=token))
            except ValueError:  # ids that are not uuids: no identity
                pass
            await self.app(scope, receive, send)


def bearer_token(request: Request) -> str | None:
    """The request's `Authorization: Bearer <token>`, or None: IdentityMiddleware's token= for a sealed database."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def _answer(status: int, detail: str) -> Callable[[Request, Exception], Awaitable[JSONResponse]]:
    async def handler(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": detail}, status_code=status)

    return handler


def _refused(detail: str) -> Callable[[Request, Exception], Awaitable[JSONResponse]]:
    """A refused write: 404 for a caller with an identity, 401 for one without (as every read says)."""
    async def handler(request: Request, exc: Exception) -> JSONResponse:
        if current_identity() is None:
            return JSONResponse({"detail": "no identity"}, status_code=401)
        return JSONResponse({"detail": detail}, status_code=404)

    return handler


def install_error_handlers(app: FastAPI) -> None:
    """Map threadguard's errors to HTTP: 404, 422 and 401, never 500, never database text."""
    app.add_exception_handler(ThreadNotOwnedError, _refused("conversation not found"))
    app.add_exception_handler(NamespaceNotOwnedError, _refused("not found"))
    for error in _MALFORMED:
        app.add_exception_handler(error, _answer(422, "invalid input"))
    app.add_exception_handler(psycopg.errors.InsufficientPrivilege, _answer(401, "no identity"))
    app.add_exception_handler(psycopg.errors.InvalidAuthorizationSpecification, _answer(401, "invalid token"))  # 28000: present_token
    app.add_exception_handler(ValueError, _answer(422, "invalid input"))


def not_found() -> Any:
    """What a route raises for an absent or foreign conversation: the same 404 as ThreadNotOwnedError."""
    from fastapi import HTTPException

    return HTTPException(status_code=404, detail="conversation not found")
