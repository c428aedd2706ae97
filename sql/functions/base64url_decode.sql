-- threadguard.base64url_decode: the bytes of one part of a JSON Web Token (RFC 7515's
-- base64url, no padding). Raises 22023 for anything else, so a malformed token is refused.

create or replace function threadguard.base64url_decode(p_text text)
returns bytea
language sql
immutable
strict
parallel safe
set search_path = pg_catalog, pg_temp
as $$
    select case
        when p_text operator(pg_catalog.~) '^[A-Za-z0-9_-]*$' and pg_catalog.length(p_text) operator(pg_catalog.%) 4 operator(pg_catalog.<>) 1
        then pg_catalog.decode(pg_catalog.rpad(pg_catalog.translate(p_text, '-_', '+/'),
                                               (pg_catalog.length(p_text) operator(pg_catalog.+) 3) operator(pg_catalog./) 4 operator(pg_catalog.*) 4, '='),
                               'base64')
        else pg_catalog.decode(p_text operator(pg_catalog.||) '*', 'base64')  -- 22023: invalid symbol
    end
$$;

revoke all on function threadguard.base64url_decode(text) from public;
grant execute on function threadguard.base64url_decode(text) to threadguard_operator;  -- add_token_keys
comment on function threadguard.base64url_decode(text) is
    'The bytes a base64url text (RFC 4648 section 5, unpadded, as in JSON Web Tokens) encodes; 22023 for any other text.';
