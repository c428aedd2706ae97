"""The test identity provider for sealed identity (docs/sealed.md): one RS256 and one HS256 key of
threadguard.issuer's, and what seals a test database with them. Under TG_TEST_SEALED=1 the conftest
makes every `acting_as(tenant, user)` present a token this issuer signed for that pair, so the saver
and conformance suites run unchanged on sealed databases (tests/python/test_sealed.py)."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from typing import Any
from uuid import UUID

from threadguard import sealing
from threadguard.issuer import HmacKey, Issuer, RsaKey


@functools.cache
def issuer() -> Issuer:
    return Issuer(keys=[RsaKey.generate("test-rs256"), HmacKey("test-hs256")])


def seal(conninfo: str, *, key_source: Issuer | None = None) -> None:
    """Give the database the issuer's keys and seal it (as its administrator)."""
    source = key_source or issuer()
    sealing.add_keys(conninfo, source.jwks())
    sealing.configure(conninfo, issuer=source.issuer, audience=source.audience)
    sealing.seal(conninfo)


@functools.cache
def _token_for(tenant_id: str, user_id: str) -> str:
    """One HS256 token per pair (cheap to sign and to verify; test_sealed.py covers RS256 itself)."""
    return issuer().token(tenant_id, user_id, key=issuer().keys[1], ttl=3600)


def present_tokens_everywhere() -> None:
    """Make every acting_as(tenant, user) without a token carry one the test issuer signed for that pair."""
    import threadguard
    import threadguard.binding
    import threadguard.fastapi
    import threadguard.identity

    plain = threadguard.identity.acting_as

    @contextlib.contextmanager
    def acting_as(tenant_id: UUID | str, user_id: UUID | str, *, token: str | None = None) -> Iterator[Any]:
        with plain(tenant_id, user_id, token=token or _token_for(str(tenant_id), str(user_id))) as identity:
            yield identity

    for module in (threadguard.identity, threadguard.binding, threadguard.fastapi):
        module.acting_as = acting_as  # type: ignore[attr-defined]
    threadguard.acting_as = acting_as  # type: ignore[attr-defined]
