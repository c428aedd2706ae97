-- threadguard.add_token_keys: adds the keys of a JSON Web Key Set (or one JWK) that tokens
-- are verified with: RSA public keys (RS256) and shared secrets (kty oct, HS256). Rotation
-- is adding the new kid before tokens carry it, removing the old one after; audited.
reset role;  -- created as the migrating administrator, then given to threadguard_operator
create or replace function threadguard.add_token_keys(p_jwks jsonb)
returns integer
language plpgsql
-- Definer: runs as threadguard_operator, the only role that writes the keys.
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_jwk jsonb;
    v_kid text;
    v_alg text;
    v_secret bytea;
    v_inner bytea;
    v_outer bytea;
    v_modulus bytea;
    v_octets integer;
    v_prefix bytea;
    v_added integer := 0;
begin
    for v_jwk in
        select k.value from pg_catalog.jsonb_array_elements(
            case when p_jwks operator(pg_catalog.?) 'keys' then p_jwks operator(pg_catalog.->) 'keys'
                 else pg_catalog.jsonb_build_array(p_jwks) end) as k
    loop
        v_kid := v_jwk operator(pg_catalog.->>) 'kid';
        if v_kid is null then
            raise exception 'threadguard: every key needs a kid' using errcode = 'invalid_parameter_value';
        end if;
        if (v_jwk operator(pg_catalog.->>) 'use') is not distinct from 'enc' then
            continue;  -- an encryption key: tokens are not signed with it
        end if;
        v_alg := case v_jwk operator(pg_catalog.->>) 'kty' when 'oct' then 'HS256' when 'RSA' then 'RS256' end;
        if v_alg is null or coalesce(v_jwk operator(pg_catalog.->>) 'alg', v_alg) operator(pg_catalog.<>) v_alg then
            raise exception 'threadguard: key %: only RS256 (kty RSA) and HS256 (kty oct) keys are supported', v_kid
                using errcode = 'invalid_parameter_value';
        end if;
        if v_alg operator(pg_catalog.=) 'HS256' then
            v_secret := threadguard.base64url_decode(v_jwk operator(pg_catalog.->>) 'k');
            if pg_catalog.octet_length(v_secret) operator(pg_catalog.<) 32 then
                raise exception 'threadguard: key %: an HS256 secret needs at least 32 bytes (RFC 7518 3.2)', v_kid
                    using errcode = 'invalid_parameter_value';
            end if;
            if pg_catalog.octet_length(v_secret) operator(pg_catalog.>) 64 then
                v_secret := pg_catalog.sha256(v_secret);
            end if;
            v_secret := v_secret operator(pg_catalog.||) pg_catalog.decode(pg_catalog.repeat('00', 64 operator(pg_catalog.-) pg_catalog.octet_length(v_secret)), 'hex');
            v_inner := v_secret;
            v_outer := v_secret;
            for i in 0..63 loop
                v_inner := pg_catalog.set_byte(v_inner, i, pg_catalog.get_byte(v_secret, i) operator(pg_catalog.#) 54);  -- 0x36
                v_outer := pg_catalog.set_byte(v_outer, i, pg_catalog.get_byte(v_secret, i) operator(pg_catalog.#) 92);  -- 0x5c
            end loop;
            insert into threadguard.token_keys (kid, alg, hmac_inner, hmac_outer) values (v_kid, v_alg, v_inner, v_outer);
        else
            v_modulus := pg_catalog.ltrim(threadguard.base64url_decode(v_jwk operator(pg_catalog.->>) 'n'), '\x00'::bytea);
            v_octets := pg_catalog.octet_length(v_modulus);
            if v_octets operator(pg_catalog.<) 256 or v_octets operator(pg_catalog.>) 1024 then
                raise exception 'threadguard: key %: an RS256 modulus must have 2048 to 8192 bits', v_kid
                    using errcode = 'invalid_parameter_value';
            end if;
            -- PKCS #1 v1.5: 0x00 0x01 0xff.. 0x00, SHA-256's DigestInfo, then the 32-byte digest (kept as a number times 2^256)
            v_prefix := pg_catalog.decode('0001' operator(pg_catalog.||) pg_catalog.repeat('ff', v_octets operator(pg_catalog.-) 54)
                                          operator(pg_catalog.||) '003031300d060960864801650304020105000420', 'hex');
            insert into threadguard.token_keys (kid, alg, rsa_n, rsa_e, rsa_octets, rsa_prefix)
            values (v_kid, v_alg, threadguard.octets_to_numeric(v_modulus),
                    threadguard.octets_to_numeric(threadguard.base64url_decode(v_jwk operator(pg_catalog.->>) 'e')), v_octets,
                    threadguard.octets_to_numeric(v_prefix) operator(pg_catalog.*) pg_catalog.power(2::numeric, 256));
        end if;
        insert into threadguard.audit_log (action, reason, row_count, detail)
        values ('add_token_key', 'key ' operator(pg_catalog.||) v_kid, 1, pg_catalog.jsonb_build_object('kid', v_kid, 'alg', v_alg));
        v_added := v_added operator(pg_catalog.+) 1;
    end loop;
    return v_added;
exception when unique_violation then
    raise exception 'threadguard: key % is already configured', v_kid
        using errcode = 'unique_violation', hint = 'Give a new key a new kid; remove the old one with threadguard.remove_token_key(kid).';
end
$$;
alter function threadguard.add_token_keys(jsonb) owner to threadguard_operator;
revoke all on function threadguard.add_token_keys(jsonb) from public;
grant execute on function threadguard.add_token_keys(jsonb) to threadguard_admin;
comment on function threadguard.add_token_keys(jsonb) is
    'Keys (administrators): adds every signing key of a JWKS ({"keys": [...]}) or of one JWK: kty RSA (RS256, 2048-8192 bits) and kty oct (HS256, a secret of at least 32 bytes); each needs a kid. Returns how many were added; audited. No application role can read them.';
set local role threadguard_owner;
