-- threadguard.verify_token: checks one JSON Web Token against threadguard.token_keys and
-- token_settings (signature, exp, nbf, iss, aud) and maps its claims to a tenant and user.
-- Raises 28000 naming the reason for any token it does not accept. Only present_token calls it.

create or replace function threadguard.verify_token(
    p_token text, out kid text, out tenant_id uuid, out user_id uuid, out expires_at timestamptz)
language plpgsql
stable
-- Definer: the keys are readable by the owner role alone.
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_parts text[] := pg_catalog.string_to_array(p_token, '.');
    v_header jsonb;
    v_claims jsonb;
    v_signature bytea;
    v_input bytea;
    v_key threadguard.token_keys;
    v_settings threadguard.token_settings;
    v_now constant timestamptz := pg_catalog.statement_timestamp();
    v_tenant text;
    v_user text;
begin
    if p_token is null or pg_catalog.octet_length(p_token) operator(pg_catalog.>) 16384
       or pg_catalog.cardinality(v_parts) operator(pg_catalog.<>) 3 then
        raise exception 'threadguard: token refused: not a signed JSON Web Token (header.payload.signature)'
            using errcode = 'invalid_authorization_specification';
    end if;
    begin
        v_header := pg_catalog.convert_from(threadguard.base64url_decode(v_parts[1]), 'UTF8')::jsonb;
        v_claims := pg_catalog.convert_from(threadguard.base64url_decode(v_parts[2]), 'UTF8')::jsonb;
        v_signature := threadguard.base64url_decode(v_parts[3]);
    exception when others then
        v_header := null;
    end;
    if pg_catalog.jsonb_typeof(v_header) is distinct from 'object' or pg_catalog.jsonb_typeof(v_claims) is distinct from 'object' then
        raise exception 'threadguard: token refused: its header or payload is not base64url JSON objects'
            using errcode = 'invalid_authorization_specification';
    end if;

    -- The key: the one the header names, or the only key of its algorithm; its algorithm must be the header's.
    if v_header operator(pg_catalog.?) 'kid' then
        select k.* into v_key from threadguard.token_keys as k where k.kid operator(pg_catalog.=) (v_header operator(pg_catalog.->>) 'kid');
    else
        select k.* into v_key from threadguard.token_keys as k where k.alg operator(pg_catalog.=) (v_header operator(pg_catalog.->>) 'alg')
        and (select pg_catalog.count(*) from threadguard.token_keys as o where o.alg operator(pg_catalog.=) k.alg) operator(pg_catalog.=) 1;
    end if;
    if v_key.kid is null then
        raise exception 'threadguard: token refused: no key % (kid) is configured', coalesce(v_header operator(pg_catalog.->>) 'kid', 'of its algorithm')
            using errcode = 'invalid_authorization_specification',
                  hint = 'An administrator adds keys with threadguard.add_token_keys(jwks) (threadguard keys add).';
    end if;
    if (v_header operator(pg_catalog.->>) 'alg') is distinct from v_key.alg then
        raise exception 'threadguard: token refused: its alg is not its key''s (%)', v_key.alg
            using errcode = 'invalid_authorization_specification';
    end if;

    v_input := pg_catalog.convert_to(v_parts[1] operator(pg_catalog.||) '.' operator(pg_catalog.||) v_parts[2], 'UTF8');
    if v_key.alg operator(pg_catalog.=) 'HS256' then
        -- HMAC-SHA256 from the stored inner and outer keys; digests compared through another hash (no early exit on a prefix)
        if pg_catalog.sha256(pg_catalog.sha256(v_key.hmac_outer operator(pg_catalog.||) pg_catalog.sha256(v_key.hmac_inner operator(pg_catalog.||) v_input)))
           operator(pg_catalog.<>) pg_catalog.sha256(v_signature) then
            raise exception 'threadguard: token refused: the signature does not verify with key %', v_key.kid
                using errcode = 'invalid_authorization_specification';
        end if;
    elsif pg_catalog.octet_length(v_signature) operator(pg_catalog.<>) v_key.rsa_octets
          or threadguard.octets_to_numeric(v_signature) operator(pg_catalog.>=) v_key.rsa_n  -- RFC 8017 8.2.2: s < n, one encoding per signature
          or threadguard.rsa_public(threadguard.octets_to_numeric(v_signature), v_key.rsa_e, v_key.rsa_n)
             operator(pg_catalog.<>) (v_key.rsa_prefix operator(pg_catalog.+) threadguard.octets_to_numeric(pg_catalog.sha256(v_input))) then
        raise exception 'threadguard: token refused: the signature does not verify with key %', v_key.kid
            using errcode = 'invalid_authorization_specification';
    end if;

    -- The claims.
    select s.* into v_settings from threadguard.token_settings as s;
    if pg_catalog.jsonb_typeof(v_claims operator(pg_catalog.->) 'exp') is distinct from 'number' then
        raise exception 'threadguard: token refused: it has no exp' using errcode = 'invalid_authorization_specification';
    end if;
    expires_at := pg_catalog.to_timestamp((v_claims operator(pg_catalog.->>) 'exp')::double precision) operator(pg_catalog.+) v_settings.leeway;
    if expires_at operator(pg_catalog.<=) v_now then
        raise exception 'threadguard: token refused: it has expired' using errcode = 'invalid_authorization_specification';
    end if;
    if v_claims operator(pg_catalog.?) 'nbf' and (pg_catalog.jsonb_typeof(v_claims operator(pg_catalog.->) 'nbf') is distinct from 'number'
       or pg_catalog.to_timestamp((v_claims operator(pg_catalog.->>) 'nbf')::double precision) operator(pg_catalog.>) (v_now operator(pg_catalog.+) v_settings.leeway)) then
        raise exception 'threadguard: token refused: it is not valid yet (nbf)' using errcode = 'invalid_authorization_specification';
    end if;
    if v_settings.issuer is not null and (v_claims operator(pg_catalog.->>) 'iss') is distinct from v_settings.issuer then
        raise exception 'threadguard: token refused: its iss is not %', v_settings.issuer using errcode = 'invalid_authorization_specification';
    end if;
    if v_settings.audience is not null
       and not (v_claims operator(pg_catalog.->) 'aud' operator(pg_catalog.=) pg_catalog.to_jsonb(v_settings.audience)
                or (pg_catalog.jsonb_typeof(v_claims operator(pg_catalog.->) 'aud') operator(pg_catalog.=) 'array'
                    and v_claims operator(pg_catalog.->) 'aud' operator(pg_catalog.@>) pg_catalog.jsonb_build_array(v_settings.audience))) then
        raise exception 'threadguard: token refused: its aud does not hold %', v_settings.audience using errcode = 'invalid_authorization_specification';
    end if;
    v_tenant := v_claims operator(pg_catalog.#>>) pg_catalog.string_to_array(v_settings.tenant_claim, '.');
    v_user := v_claims operator(pg_catalog.#>>) pg_catalog.string_to_array(v_settings.user_claim, '.');
    if coalesce(v_tenant, '') operator(pg_catalog.=) '' or coalesce(v_user, '') operator(pg_catalog.=) '' then
        raise exception 'threadguard: token refused: it has no % or no % claim', v_settings.tenant_claim, v_settings.user_claim
            using errcode = 'invalid_authorization_specification';
    end if;
    if v_settings.claims_as operator(pg_catalog.=) 'hashed' then
        tenant_id := pg_catalog.encode(pg_catalog.substr(pg_catalog.sha256(pg_catalog.convert_to('tenant:' operator(pg_catalog.||) v_tenant, 'UTF8')), 1, 16), 'hex')::pg_catalog.uuid;
        user_id := pg_catalog.encode(pg_catalog.substr(pg_catalog.sha256(pg_catalog.convert_to('user:' operator(pg_catalog.||) v_user, 'UTF8')), 1, 16), 'hex')::pg_catalog.uuid;
    else
        begin
            tenant_id := nullif(v_tenant::pg_catalog.uuid, '00000000-0000-0000-0000-000000000000');
            user_id := nullif(v_user::pg_catalog.uuid, '00000000-0000-0000-0000-000000000000');
        exception when invalid_text_representation then
            tenant_id := null;
        end;
        if tenant_id is null or user_id is null then
            raise exception 'threadguard: token refused: its % and % claims are not uuids', v_settings.tenant_claim, v_settings.user_claim
                using errcode = 'invalid_authorization_specification',
                      hint = 'threadguard.configure_tokens(..., p_claims_as => ''hashed'') maps any text to a uuid.';
        end if;
    end if;
    kid := v_key.kid;
end
$$;

revoke all on function threadguard.verify_token(text) from public;
comment on function threadguard.verify_token(text) is
    'The key id, tenant, user and expiry of a token the configured keys and settings accept; 28000 naming the reason otherwise. Called by threadguard.present_token.';
