"""A local token issuer: signs HS256 and RS256 JSON Web Tokens with the standard library alone,
for the tests, the benchmarks and the reference service's sealed mode (docs/sealed.md). It
stands in for an identity provider (Auth0, Clerk, Cognito, ...): production tokens come from
yours, and threadguard only verifies them (threadguard.verify_token)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

# SHA-256's DigestInfo (RFC 8017 9.2): what PKCS #1 v1.5 signs before the digest.
_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")
_SMALL_PRIMES = [p for p in range(3, 2000, 2) if all(p % d for d in range(3, int(p**0.5) + 1, 2))]


def b64url(data: bytes) -> str:
    """base64url without padding, as JSON Web Tokens spell bytes."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _probable_prime(bits: int) -> int:
    while True:
        candidate = secrets.randbits(bits) | (1 << (bits - 1)) | (1 << (bits - 2)) | 1
        if any(candidate % p == 0 for p in _SMALL_PRIMES):
            continue
        d, r = candidate - 1, 0
        while d % 2 == 0:
            d, r = d // 2, r + 1
        for _ in range(24):  # Miller-Rabin
            x = pow(secrets.randbelow(candidate - 3) + 2, d, candidate)
            if x in (1, candidate - 1):
                continue
            for _ in range(r - 1):
                x = pow(x, 2, candidate)
                if x == candidate - 1:
                    break
            else:
                break
        else:
            return candidate


@dataclass(frozen=True)
class RsaKey:
    """An RSA key pair (e = 65537) and the kid tokens name it by."""

    kid: str
    n: int
    d: int
    e: int = 65537

    @classmethod
    def generate(cls, kid: str, bits: int = 2048) -> RsaKey:
        while True:
            p, q = _probable_prime(bits // 2), _probable_prime(bits // 2)
            n, phi = p * q, (p - 1) * (q - 1)
            if p != q and n.bit_length() == bits and phi % 65537:
                return cls(kid, n, pow(65537, -1, phi))

    @property
    def octets(self) -> int:
        return (self.n.bit_length() + 7) // 8

    def jwk(self) -> dict[str, str]:
        """The public half, as a JWKS lists it."""
        return {"kty": "RSA", "kid": self.kid, "alg": "RS256", "use": "sig",
                "n": b64url(self.n.to_bytes(self.octets, "big")), "e": b64url(self.e.to_bytes(3, "big"))}

    def sign(self, message: bytes) -> bytes:
        padded = b"\x00\x01" + b"\xff" * (self.octets - 3 - len(_DIGEST_INFO) - 32) + b"\x00" + _DIGEST_INFO + hashlib.sha256(message).digest()
        return pow(int.from_bytes(padded, "big"), self.d, self.n).to_bytes(self.octets, "big")


@dataclass(frozen=True)
class HmacKey:
    """An HS256 shared secret and its kid."""

    kid: str
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32))

    def jwk(self) -> dict[str, str]:
        return {"kty": "oct", "kid": self.kid, "alg": "HS256", "k": b64url(self.secret)}

    def sign(self, message: bytes) -> bytes:
        return hmac.new(self.secret, message, hashlib.sha256).digest()


@dataclass
class Issuer:
    """Signs tokens for (tenant, user) pairs with its keys, as an identity provider would."""

    issuer: str = "https://issuer.test/"
    audience: str = "threadguard-test"
    keys: list[RsaKey | HmacKey] = field(default_factory=list)

    def jwks(self) -> dict[str, Any]:
        """Every key, as threadguard.add_token_keys takes them (HS256 secrets included)."""
        return {"keys": [key.jwk() for key in self.keys]}

    def token(self, tenant_id: object, user_id: object, *, key: RsaKey | HmacKey | None = None, ttl: float = 300,
              not_before: float | None = None, **claims: Any) -> str:
        """A token for this tenant and user, signed with `key` (default: the first)."""
        key = key or self.keys[0]
        now = time.time()
        payload = {"iss": self.issuer, "aud": self.audience, "sub": str(user_id), "tenant_id": str(tenant_id),
                   "iat": int(now), "exp": int(now + ttl), **({"nbf": int(not_before)} if not_before is not None else {}), **claims}
        header = {"alg": "RS256" if isinstance(key, RsaKey) else "HS256", "typ": "JWT", "kid": key.kid}
        signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(payload).encode())}".encode()
        return f"{signing_input.decode()}.{b64url(key.sign(signing_input))}"
