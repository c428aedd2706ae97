"""Sealed identity (docs/sealed.md): in a sealed database a row opens only for a transaction that
presented a token the identity provider signed. Every refusal is tried as the application's login
(granted the app role, nothing else): no token, a forged or wrongly keyed signature, an expired or
not-yet-valid token, another audience or issuer, another tenant's token with this tenant's ids, a
removed key, bare settings of ids learned elsewhere. Each sees nothing, writes nothing, and the API
says why. Then rotation, the key tables' privileges, a managed administrator, and the saver,
conformance and store suites on sealed databases: test_sealed_suites.py."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import tokens
from dbtools import app_conninfo, ensure_app_login, fresh_database, operator_conninfo

import threadguard as tg
from threadguard import runner, sealing
from threadguard.issuer import HmacKey, Issuer, RsaKey, b64url

A = (uuid.uuid4(), uuid.uuid4())
A2 = (A[0], uuid.uuid4())  # another user of tenant A
B = (uuid.uuid4(), uuid.uuid4())


def _cli(conninfo: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "threadguard.cli", *args, "--database", conninfo],
                          input=stdin, capture_output=True, text=True, timeout=300)


@dataclass(frozen=True)
class Sealed:
    admin: str  # the database's administrator (superuser here; test_a_managed_administrator_seals: not)
    app: str  # the application's login
    threads: dict[tuple[uuid.UUID, uuid.UUID], str]  # a conversation of each identity's, with a checkpoint


@pytest.fixture(scope="module")
def sealed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sealed]:
    issuer = tokens.issuer()
    jwks = tmp_path_factory.mktemp("jwks") / "jwks.json"
    jwks.write_text(json.dumps(issuer.jwks()), encoding="utf-8")
    with fresh_database("tg_sealed") as db:
        runner.migrate(db)
        ensure_app_login(db)
        unaudienced = _cli(db, "seal", "--issuer", issuer.issuer)
        assert unaudienced.returncode == 2 and "--audience AUD" in unaudienced.stderr, unaudienced.stderr
        added = _cli(db, "keys", "add", str(jwks))
        assert added.returncode == 0 and "added 2 key(s)" in added.stdout, added.stderr
        done = _cli(db, "seal", "--issuer", issuer.issuer, "--audience", issuer.audience)
        assert done.returncode == 0, done.stderr
        assert "threadguard seal: sealed: rows open only to a verified token" in done.stdout
        threads = {}
        with tg.connect(app_conninfo(db)) as conn:
            for who in (A, A2, B):
                with tg.acting_as(*who, token=issuer.token(*who)):
                    thread = str(tg.create_conversation(conn, "mine").thread_id)
                    conn.execute("insert into public.checkpoints (thread_id, checkpoint_ns, checkpoint_id, checkpoint, metadata)"
                                 " values (%s, '', %s, '{}', '{}')", (thread, str(uuid.uuid4())))
                    threads[who] = thread
        yield Sealed(db, app_conninfo(db), threads)


def _seen(conn: psycopg.Connection[tuple[object, ...]]) -> tuple[int, int, int]:
    """Rows visible in this transaction: conversations, checkpoints, store items."""
    row = conn.execute("select (select count(*) from threadguard.conversations), (select count(*) from public.checkpoints),"
                       " (select count(*) from public.store)").fetchone()
    assert row is not None
    return (int(row[0]), int(row[1]), int(row[2]))


def _write_refused(conn: psycopg.Connection[tuple[object, ...]], who: tuple[uuid.UUID, uuid.UUID], thread: str) -> None:
    """Nothing can be written as `who` in this transaction: a checkpoint into their thread, a conversation."""
    for statement, args in (
        ("insert into public.checkpoints (thread_id, checkpoint_ns, checkpoint_id, checkpoint, metadata,"
         " threadguard_tenant_id, threadguard_user_id) values (%s, '', %s, '{}', '{}', %s, %s)",
         (thread, str(uuid.uuid4()), who[0], who[1])),
        ("insert into threadguard.conversations (id, tenant_id, user_id) values (%s, %s, %s)", (uuid.uuid4(), who[0], who[1])),
    ):
        with pytest.raises(psycopg.errors.InsufficientPrivilege), conn.transaction():
            conn.execute(statement, args)


def _bare_ids(conn: psycopg.Connection[tuple[object, ...]], who: tuple[uuid.UUID, uuid.UUID]) -> None:
    conn.execute("select set_config('app.tenant_id', %s, true), set_config('app.user_id', %s, true)", (str(who[0]), str(who[1])))


def test_a_valid_token_opens_its_own_rows_and_no_one_elses(sealed: Sealed) -> None:
    issuer = tokens.issuer()
    with tg.connect(sealed.app) as conn:
        for who, key in ((A, issuer.keys[0]), (A2, issuer.keys[1]), (B, issuer.keys[0])):
            with tg.acting_as(*who, token=issuer.token(*who, key=key)):
                assert [c.thread_id for c in tg.list_conversations(conn)] == [uuid.UUID(sealed.threads[who])]
                others = [t for w, t in sealed.threads.items() if w != who]
                assert all(tg.get_conversation(conn, t) is None for t in others)
    with psycopg.connect(sealed.app) as conn:
        conn.execute("select threadguard.present_token(%s)", (issuer.token(*A),))
        assert _seen(conn) == (1, 1, 0)


def _forged(token: str) -> str:
    head, payload, signature = token.split(".")
    return f"{head}.{payload}.{signature[:-6]}{'A' if signature[-6] != 'A' else 'B'}{signature[-5:]}"


def _signature_plus_modulus() -> str:
    """A valid RS256 signature s re-encoded as s + n (same length when it fits): the same value mod n, another token."""
    rsa = tokens.issuer().keys[0]
    assert isinstance(rsa, RsaKey)
    while True:
        token = tokens.issuer().token(*A, jti=str(uuid.uuid4()))
        head, payload, signature = token.split(".")
        s = int.from_bytes(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)), "big")
        if (s + rsa.n).bit_length() <= rsa.octets * 8:
            return f"{head}.{payload}.{b64url((s + rsa.n).to_bytes(rsa.octets, 'big'))}"


def _non_canonical_signature() -> str:
    """An HS256 signature (32 bytes, 43 characters) whose last character's two unused bits are set: the same bytes."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    token = tokens.issuer().token(*A, key=tokens.issuer().keys[1], jti=str(uuid.uuid4()))
    return token[:-1] + alphabet[alphabet.index(token[-1]) ^ 1]


def _alg_confusion() -> str:
    """HS256 'signed' with the RS256 key's public modulus as the secret, naming the RS256 key."""
    rsa = tokens.issuer().keys[0]
    assert isinstance(rsa, RsaKey)
    public = HmacKey(rsa.kid, rsa.n.to_bytes(rsa.octets, "big"))
    return Issuer(keys=[public]).token(*A)


def _unsigned() -> str:
    head = b64url(json.dumps({"alg": "none", "typ": "JWT", "kid": "test-rs256"}).encode())
    return f"{head}.{tokens.issuer().token(*A).split('.')[1]}."


REFUSED = {
    "forged signature": (lambda: _forged(tokens.issuer().token(*A)), "signature does not verify"),
    "signature plus modulus": (_signature_plus_modulus, "signature does not verify"),
    "non-canonical signature": (_non_canonical_signature, "not base64url"),
    "wrong key, same kid": (lambda: Issuer(keys=[RsaKey.generate("test-rs256")]).token(*A), "signature does not verify"),
    "unknown kid": (lambda: Issuer(keys=[HmacKey("elsewhere")]).token(*A), "no key elsewhere"),
    "expired": (lambda: tokens.issuer().token(*A, ttl=-120), "expired"),
    "not yet valid": (lambda: tokens.issuer().token(*A, not_before=9_000_000_000), "not valid yet"),
    "other audience": (lambda: tokens.issuer().token(*A, aud="another-api"), "aud does not hold"),
    "other issuer": (lambda: tokens.issuer().token(*A, iss="https://evil.test/"), "iss is not"),
    "alg confusion": (_alg_confusion, "alg is not its key's"),
    "alg none": (_unsigned, "alg is not its key's"),
    "not a token": (lambda: "not-a-token", "not a signed JSON Web Token"),
    "ids not uuids": (lambda: tokens.issuer().token("acme", "alice"), "claims are not uuids"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_a_refused_token_opens_nothing_and_says_why(sealed: Sealed, case: str) -> None:
    make, reason = REFUSED[case]
    token = make()
    with psycopg.connect(sealed.app) as conn:
        with pytest.raises(psycopg.errors.InvalidAuthorizationSpecification, match=reason), conn.transaction():
            conn.execute("select threadguard.present_token(%s)", (token,))
        # Set straight into app.token, with tenant A's ids beside it: still nobody.
        conn.execute("select set_config('app.token', %s, true)", (token,))
        _bare_ids(conn, A)
        assert _seen(conn) == (0, 0, 0)
        _write_refused(conn, A, sealed.threads[A])
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="app.token holds no verified"):
            tg.list_conversations(conn)
    with tg.connect(sealed.app) as bound, tg.acting_as(*A, token=token):
        with pytest.raises(psycopg.errors.InvalidAuthorizationSpecification, match=reason):
            tg.list_conversations(bound)


def test_a_refused_token_stops_its_statement_and_the_connection_stays_sound(sealed: Sealed) -> None:
    """The token travels in one exchange with the statement (on a connection that keeps plans,
    prepare_threshold=0): refused, it aborts the statement and its PREPARE, so the statement is not
    left prepared and psycopg does not believe otherwise; the next valid token's run of it works. The
    token's own statement is prepared once, however many tokens are refused."""
    count = "select count(*) as n from threadguard.conversations"
    prepared = ("select count(*) filter (where statement like '%present_token%') as token,"
                " count(*) filter (where statement like '%conversations%') as n from pg_prepared_statements")
    with tg.connect(sealed.app, prepare_threshold=0) as conn:
        for _ in range(3):
            with tg.acting_as(*A, token=REFUSED["expired"][0]()), \
                    pytest.raises(psycopg.errors.InvalidAuthorizationSpecification, match="expired"):
                conn.execute(count)
            assert conn.execute(prepared, prepare=False).fetchone() == {"token": 0, "n": 0}
        with tg.acting_as(*A, token=tokens.issuer().token(*A)):
            assert conn.execute(count).fetchone()["n"] == 1
        assert conn.execute(prepared, prepare=False).fetchone() == {"token": 0, "n": 1}


def test_ids_learned_elsewhere_open_nothing(sealed: Sealed) -> None:
    """The attack sealing stops: the application login knows (from EXPLAIN, say) every id, sets them
    with set_config, and reads. Also no token, and an empty one."""
    with psycopg.connect(sealed.app) as conn:
        for who in (A, A2, B):
            _bare_ids(conn, who)
            assert _seen(conn) == (0, 0, 0)
            _write_refused(conn, who, sealed.threads[who])
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="this database is sealed"):
                tg.list_conversations(conn)
            conn.rollback()
        conn.execute("select threadguard.present_token('')")
        assert _seen(conn) == (0, 0, 0)
    with tg.connect(sealed.app) as bound:
        with tg.acting_as(*A):  # ids, no token
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="this database is sealed"):
                tg.list_conversations(bound)


def test_another_tenants_token_with_this_tenants_ids_opens_only_its_own(sealed: Sealed) -> None:
    """B's valid token presented, then A's ids set: the database goes by the token; A's rows stay shut."""
    with psycopg.connect(sealed.app) as conn:
        conn.execute("select threadguard.present_token(%s)", (tokens.issuer().token(*B),))
        _bare_ids(conn, A)
        rows = conn.execute("select thread_id::text from threadguard.conversations").fetchall()
        assert rows == [(sealed.threads[B],)]
        _write_refused(conn, A, sealed.threads[A])
        assert tg.get_conversation(conn, sealed.threads[A]) is None


def test_a_token_is_bound_to_its_transaction_only(sealed: Sealed) -> None:
    """The token lives in the transaction: the next one on the same session (a pooler's next client) has nothing."""
    with psycopg.connect(sealed.app, autocommit=True) as conn:
        with conn.transaction():
            conn.execute("select threadguard.present_token(%s)", (tokens.issuer().token(*A),))
            assert _seen(conn) == (1, 1, 0)
        assert _seen(conn) == (0, 0, 0)


def test_a_token_seen_before_is_looked_up_not_verified_again(sealed: Sealed) -> None:
    token = tokens.issuer().token(*A2)
    with psycopg.connect(sealed.app, autocommit=True) as conn:
        for _ in range(3):
            with conn.transaction():
                conn.execute("select threadguard.present_token(%s)", (token,))
                assert _seen(conn) == (1, 1, 0)
    with psycopg.connect(sealed.admin) as conn:
        assert conn.execute("select count(*) from threadguard.verified_tokens t"
                            " where t.token_hash = sha256(convert_to(%s, 'UTF8'))", (token,)).fetchone() == (1,)


def test_a_read_only_transaction_uses_only_tokens_verified_before(sealed: Sealed) -> None:
    """Verification is recorded, which a read-only transaction (or a replica) cannot do: a new token is refused
    there with the reason; once verified in a read-write transaction, read-only ones use it."""
    token = tokens.issuer().token(*B, jti=str(uuid.uuid4()))
    with psycopg.connect(sealed.app, autocommit=True) as conn:
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction, match="verified once in a read-write transaction"):
            with conn.transaction():
                conn.execute("set transaction read only")
                conn.execute("select threadguard.present_token(%s)", (token,))
        with conn.transaction():
            conn.execute("select threadguard.present_token(%s)", (token,))
        with conn.transaction():
            conn.execute("set transaction read only")
            conn.execute("select threadguard.present_token(%s)", (token,))
            assert _seen(conn) == (1, 1, 0)


def test_the_application_login_reaches_neither_keys_nor_verified_tokens(sealed: Sealed) -> None:
    statements = [
        "select * from threadguard.token_keys", "select kid from threadguard.token_keys",
        "delete from threadguard.token_keys", "insert into threadguard.token_keys (kid, alg) values ('x', 'HS256')",
        "select * from threadguard.verified_tokens", "delete from threadguard.verified_tokens",
        "insert into threadguard.verified_tokens values (sha256('x'), 'test-hs256', gen_random_uuid(), gen_random_uuid(), 'infinity')",
        "update threadguard.token_settings set sealed = false", "update threadguard.token_settings set issuer = null",
        "explain analyze select * from threadguard.verified_tokens where token_hash > ''",
        "select * from threadguard.verify_token('a.b.c')", "select threadguard.add_token_keys('{}')",
        "select threadguard.remove_token_key('test-hs256')", "select threadguard.configure_tokens(null, null)",
    ]
    with psycopg.connect(sealed.app) as conn:
        for statement in statements:
            with pytest.raises(psycopg.errors.InsufficientPrivilege), conn.transaction():
                conn.execute(statement)
    with psycopg.connect(operator_conninfo(sealed.admin)) as conn:  # admins: kid, alg, date; never a secret
        assert {r[0] for r in conn.execute("select kid from threadguard.token_keys")} == {"test-rs256", "test-hs256"}
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("select hmac_inner from threadguard.token_keys")


def test_keys_rotate_without_downtime_and_a_removed_key_revokes_its_tokens(sealed: Sealed, tmp_path: Path) -> None:
    old = tokens.issuer()
    new_key = RsaKey.generate("rotated-in")
    new = Issuer(keys=[new_key])
    (tmp_path / "new.json").write_text(json.dumps(new.jwks()), encoding="utf-8")
    assert _cli(sealed.admin, "keys", "add", str(tmp_path / "new.json")).returncode == 0
    before, after = old.token(*A, jti="before"), new.token(*A)
    with tg.connect(sealed.app) as conn:
        for token in (before, after):  # both keys live: tokens of either verify
            with tg.acting_as(*A, token=token):
                assert len(tg.list_conversations(conn)) == 1
    listed = _cli(sealed.admin, "keys", "list")
    assert "rotated-in\tRS256" in listed.stdout and "test-rs256\tRS256" in listed.stdout
    removed = _cli(sealed.admin, "keys", "remove", "rotated-in")
    assert removed.returncode == 0 and "removed rotated-in" in removed.stdout
    with psycopg.connect(sealed.app) as conn:
        conn.execute("select set_config('app.token', %s, true)", (after,))  # verified before: now revoked
        assert _seen(conn) == (0, 0, 0)
        with pytest.raises(psycopg.errors.InvalidAuthorizationSpecification, match="no key rotated-in"):
            conn.execute("select threadguard.present_token(%s)", (after,))
    with tg.connect(sealed.app) as conn, tg.acting_as(*A, token=before):
        assert len(tg.list_conversations(conn)) == 1
    assert _cli(sealed.admin, "keys", "remove", "rotated-in").returncode == 2
    with psycopg.connect(sealed.admin) as conn:
        audited = [r[0] for r in conn.execute("select action from threadguard.audit_log where detail->>'kid' = 'rotated-in' order by id")]
    assert audited == ["add_token_key", "remove_token_key"]


def test_verify_is_clean_and_unseal_returns_to_settings(sealed: Sealed) -> None:
    assert runner.verify(sealed.admin) == []
    with fresh_database("tg_unseal") as db:
        runner.migrate(db)
        ensure_app_login(db)
        with pytest.raises(runner.MigrationError, match="no key is configured"):
            sealing.seal(db)
        tokens.seal(db)
        assert sealing.seal(db) is False  # already sealed: nothing applied again
        with psycopg.connect(app_conninfo(db)) as conn:
            _bare_ids(conn, A)
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                tg.create_conversation(conn)
        done = _cli(db, "unseal")
        assert done.returncode == 0 and "unsealed" in done.stdout, done.stderr
        with psycopg.connect(app_conninfo(db)) as conn:
            _bare_ids(conn, A)
            tg.create_conversation(conn)
            assert _seen(conn)[0] == 1
        assert runner.verify(db) == []


def test_a_managed_administrator_seals_the_database() -> None:
    """As the database's owner with only LOGIN CREATEDB CREATEROLE, no superuser."""
    from test_managed import managed_database

    with managed_database("rds") as db:
        runner.migrate(db.url)
        tokens.seal(db.url)
        assert runner.verify(db.url) == []
        assert sealing.seal(db.url) is False  # read as the owner role: sealed already
        assert [kid for kid, _, _ in sealing.keys(db.url)] == ["test-rs256", "test-hs256"]
        assert sealing.seal(db.url, False) is True


def test_the_reference_service_runs_sealed_with_its_test_issuer(capsys: pytest.CaptureFixture[str]) -> None:
    """`THREADGUARD_SEALED=1 make serve`: the service's test issuer seals the database and prints a token per
    test user; the bearer token decides, a request without one or with a forged one is a 401."""
    import re

    import httpx
    from test_service import _port

    from examples.service.serve import seal_with_test_issuer

    with fresh_database("tg_sealed_service") as db:
        runner.migrate(db)
        ensure_app_login(db)
        port = _port()
        seal_with_test_issuer(db, port)
        printed = capsys.readouterr().err
        users = {name: dict(re.findall(r"-H '([a-z-]+): ([^']+)'", line))
                 for name, line in re.findall(r"sealed: (\w+) = (.*)", printed)}
        assert set(users) == {"alice", "bob"}
        process = subprocess.Popen([sys.executable, "-m", "uvicorn", "examples.service.app:app", "--host", "127.0.0.1",
                                    "--port", str(port), "--log-level", "warning"], cwd=Path(__file__).resolve().parents[2],
                                   env={**os.environ, "DATABASE_URL": app_conninfo(db), "THREADGUARD_SEALED": "1"},
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
                while True:  # readiness poll, not timing
                    try:
                        if http.get("/healthz").status_code == 200:
                            break
                    except httpx.TransportError:
                        assert process.poll() is None, process.stderr.read() if process.stderr else ""
                alice, bob = users["alice"], users["bob"]
                created = http.post("/conversations", json={"title": "sealed"}, headers=alice)
                assert created.status_code == 201, created.text
                thread = created.json()["thread_id"]
                assert [c["thread_id"] for c in http.get("/conversations", headers=alice).json()] == [thread]
                assert http.get(f"/conversations/{thread}", headers=bob).status_code == 404
                # Alice's ids with Bob's token: the token decides.
                assert http.get(f"/conversations/{thread}", headers={**alice, "authorization": bob["authorization"]}).status_code == 404
                no_token = {k: v for k, v in alice.items() if k != "authorization"}
                assert http.get("/conversations", headers=no_token).json() == {"detail": "no identity"}
                forged = {**alice, "authorization": _forged(alice["authorization"])}
                answer = http.get("/conversations", headers=forged)
                assert (answer.status_code, answer.json()) == (401, {"detail": "invalid token"})
        finally:
            process.terminate()
            process.wait(timeout=10)


def test_verify_names_a_seal_without_keys_and_a_context_that_ignores_the_seal() -> None:
    with fresh_database("tg_sealed_verify") as db:
        runner.migrate(db)
        tokens.seal(db)
        assert runner.verify(db) == []
        with psycopg.connect(db) as conn:  # as if someone put the plain context back by hand
            conn.execute("create or replace view threadguard.context as select"
                         " nullif(current_setting('app.tenant_id', true), '')::uuid as tenant_id,"
                         " nullif(current_setting('app.user_id', true), '')::uuid as user_id")
        assert any("sealed but threadguard.context reads app.tenant_id" in p for p in runner.verify(db))
        runner.migrate(db)  # a repairable rule: migrate applies sql/ again
        assert runner.verify(db) == []
        for kid, _, _ in sealing.keys(db):
            sealing.remove_key(db, kid)
        assert any("sealed but no key is configured" in p for p in runner.verify(db))


def test_a_token_left_in_the_session_does_not_speak_for_a_later_transaction(sealed: Sealed) -> None:
    """A session-level `SET app.token` (a careless or hostile earlier client of a pooled server session):
    the binding's next transaction, with ids or with no identity, does not inherit it."""
    with tg.connect(sealed.app) as conn:
        with conn.transaction():
            conn.execute("select set_config('app.token', %s, false)", (tokens.issuer().token(*A),))  # session level
            conn.execute("select threadguard.present_token(%s)", (tokens.issuer().token(*A),))  # and verified
        with tg.acting_as(*A):  # ids only
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="this database is sealed"):
                tg.list_conversations(conn)
            assert conn.execute("select count(*) as n from threadguard.conversations").fetchone() == {"n": 0}
        assert conn.execute("select count(*) as n from threadguard.conversations").fetchone() == {"n": 0}  # nobody


def test_claims_that_are_not_uuids_map_to_uuids_when_hashed() -> None:
    """Auth0-style `sub` ("auth0|42") and a nested organisation claim, with --claims-as hashed: the
    identity is the first 16 bytes of SHA-256 of 'tenant:<value>' / 'user:<value>', as docs/sealed.md says."""
    import hashlib

    issuer = tokens.issuer()
    with fresh_database("tg_sealed_hashed") as db:
        runner.migrate(db)
        ensure_app_login(db)
        sealing.add_keys(db, issuer.jwks())
        done = _cli(db, "seal", "--issuer", issuer.issuer, "--audience", issuer.audience,
                    "--tenant-claim", "org.id", "--user-claim", "sub", "--claims-as", "hashed")
        assert done.returncode == 0, done.stderr
        token = issuer.token("ignored", "auth0|42", org={"id": "acme"})
        expected = tuple(str(uuid.UUID(bytes=hashlib.sha256(f"{kind}:{value}".encode()).digest()[:16]))
                         for kind, value in (("tenant", "acme"), ("user", "auth0|42")))
        with psycopg.connect(app_conninfo(db)) as conn:
            conn.execute("select threadguard.present_token(%s)", (token,))
            assert tuple(str(x) for x in conn.execute("select * from threadguard.require_context()").fetchone() or ()) == expected
            with pytest.raises(psycopg.errors.InvalidAuthorizationSpecification, match="has no org.id or no sub claim"), conn.transaction():
                conn.execute("select threadguard.present_token(%s)", (issuer.token("t", "u", jti="no-org"),))
