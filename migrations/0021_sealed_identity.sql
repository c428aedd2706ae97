-- 0021 sealed identity: the tables of the opt-in mode in which a row opens only for a
-- transaction that presented a token the identity provider signed (docs/sealed.md).
-- The keys and the verified tokens are the owner role's alone: no application role reads them.
-- depends: 0020_conversation_metadata

set local role threadguard_owner;
create table threadguard.token_settings (
    id boolean primary key default true,
    sealed boolean not null default false,
    issuer text,
    audience text,
    tenant_claim text not null default 'tenant_id',
    user_claim text not null default 'sub',
    claims_as text not null default 'uuid',
    leeway interval not null default '30 seconds',
    constraint token_settings_one_row check (id),
    constraint token_settings_claims_as check (claims_as in ('uuid', 'hashed')),
    constraint token_settings_leeway check (leeway >= interval '0' and leeway <= interval '5 minutes'),
    constraint token_settings_claims check (tenant_claim <> '' and user_claim <> '')
);
insert into threadguard.token_settings default values;
comment on table threadguard.token_settings is
    'One row: whether this database is sealed (identity only from a verified token) and how a token is checked and mapped to a tenant and user.';
comment on column threadguard.token_settings.id is 'Always true: the table has one row.';
comment on column threadguard.token_settings.sealed is 'true: policies and the SQL API take the identity only from a token verified in the current transaction (threadguard seal).';
comment on column threadguard.token_settings.issuer is 'The iss a token must carry; null: not checked.';
comment on column threadguard.token_settings.audience is 'A value the token''s aud (a string or an array) must hold; null: not checked.';
comment on column threadguard.token_settings.tenant_claim is 'The claim naming the tenant (dots reach into objects: o.id).';
comment on column threadguard.token_settings.user_claim is 'The claim naming the user (usually sub).';
comment on column threadguard.token_settings.claims_as is 'uuid: the claims are uuids; hashed: any text, mapped to a uuid by SHA-256.';
comment on column threadguard.token_settings.leeway is 'Clock skew allowed on exp and nbf (at most 5 minutes).';
comment on constraint token_settings_one_row on threadguard.token_settings is 'One row.';
comment on constraint token_settings_claims_as on threadguard.token_settings is 'How claims become uuids: uuid or hashed.';
comment on constraint token_settings_leeway on threadguard.token_settings is 'A small leeway: 0 to 5 minutes.';
comment on constraint token_settings_claims on threadguard.token_settings is 'Both claims are named.';

create table threadguard.token_keys (
    kid text primary key,
    alg text not null,
    hmac_inner bytea,
    hmac_outer bytea,
    rsa_n numeric,
    rsa_e numeric,
    rsa_octets integer,
    rsa_prefix numeric,
    added_at timestamptz not null default pg_catalog.clock_timestamp(),
    constraint token_keys_alg check (
        (alg = 'HS256' and octet_length(hmac_inner) = 64 and octet_length(hmac_outer) = 64
         and rsa_n is null and rsa_e is null and rsa_octets is null and rsa_prefix is null)
        or (alg = 'RS256' and hmac_inner is null and hmac_outer is null and rsa_n > 0 and rsa_e > 1
            and rsa_octets between 256 and 1024 and rsa_prefix > 0)),
    constraint token_keys_kid check (kid <> '' and octet_length(kid) <= 200)
);
comment on table threadguard.token_keys is
    'The keys tokens are verified with (threadguard.add_token_keys, remove_token_key): HS256 secrets, RS256 public keys. Readable by the owner role only.';
comment on column threadguard.token_keys.kid is 'The key id a token names in its header (kid).';
comment on column threadguard.token_keys.alg is 'HS256 or RS256: a token must name the same algorithm.';
comment on column threadguard.token_keys.hmac_inner is 'HS256: the secret (padded to 64 bytes) xor 0x36: HMAC''s inner key.';
comment on column threadguard.token_keys.hmac_outer is 'HS256: the secret xor 0x5c: HMAC''s outer key.';
comment on column threadguard.token_keys.rsa_n is 'RS256: the modulus.';
comment on column threadguard.token_keys.rsa_e is 'RS256: the public exponent.';
comment on column threadguard.token_keys.rsa_octets is 'RS256: the modulus''s length in bytes (a signature''s length).';
comment on column threadguard.token_keys.rsa_prefix is 'RS256: the PKCS #1 v1.5 encoding of a SHA-256 digest, but the digest, as a number (0x0001ff..ff00 || DigestInfo).';
comment on column threadguard.token_keys.added_at is 'When the key was added.';
comment on constraint token_keys_alg on threadguard.token_keys is 'An HS256 key has its two HMAC keys, an RS256 key a modulus of 2048 to 8192 bits, an exponent and its encoding prefix; nothing else.';
comment on constraint token_keys_kid on threadguard.token_keys is 'A non-empty key id of at most 200 bytes.';

create table threadguard.verified_tokens (
    token_hash bytea primary key,
    kid text not null references threadguard.token_keys (kid) on delete cascade,
    tenant_id uuid not null,
    user_id uuid not null,
    expires_at timestamptz not null,
    constraint verified_tokens_hash check (octet_length(token_hash) = 32)
);
create index verified_tokens_kid_idx on threadguard.verified_tokens (kid);
create index verified_tokens_expires_at_idx on threadguard.verified_tokens (expires_at);
comment on table threadguard.verified_tokens is
    'Tokens whose signature and claims have been checked (threadguard.present_token), by SHA-256 of the token, until they expire: a token seen before costs a lookup, not a signature check. Written by the owner role only; removing a key removes what it verified.';
comment on column threadguard.verified_tokens.token_hash is 'SHA-256 of the token as presented.';
comment on column threadguard.verified_tokens.kid is 'The key that verified it (removing the key revokes it).';
comment on column threadguard.verified_tokens.tenant_id is 'The tenant its claims map to.';
comment on column threadguard.verified_tokens.user_id is 'The user its claims map to.';
comment on column threadguard.verified_tokens.expires_at is 'Its exp plus the leeway: from then on it opens nothing.';
comment on constraint verified_tokens_hash on threadguard.verified_tokens is 'A SHA-256 digest.';
reset role;
