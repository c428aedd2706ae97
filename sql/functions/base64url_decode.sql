-- threadguard.base64url_decode: the bytes of one part of a JSON Web Token (RFC 7515's
-- base64url, no padding), in its one canonical spelling (the last character's unused bits zero),
-- so that a signed token has exactly one text. Raises 22023 for anything else.

create or replace function threadguard.base64url_decode(p_text text)
returns bytea
language plpgsql
immutable
strict
parallel safe
set search_path = pg_catalog, pg_temp
as $$
declare
    v_bytes bytea;
begin
    if p_text operator(pg_catalog.~) '^[A-Za-z0-9_-]*$' and pg_catalog.length(p_text) operator(pg_catalog.%) 4 operator(pg_catalog.<>) 1 then
        v_bytes := pg_catalog.decode(pg_catalog.rpad(pg_catalog.translate(p_text, '-_', '+/'),
                                                     (pg_catalog.length(p_text) operator(pg_catalog.+) 3) operator(pg_catalog./) 4 operator(pg_catalog.*) 4, '='),
                                     'base64');
        if pg_catalog.translate(pg_catalog.rtrim(pg_catalog.replace(pg_catalog.encode(v_bytes, 'base64'), E'\n', ''), '='), '+/', '-_')
           operator(pg_catalog.=) p_text then
            return v_bytes;
        end if;
    end if;
    raise exception 'threadguard: not canonical base64url' using errcode = 'invalid_parameter_value';
end
$$;

revoke all on function threadguard.base64url_decode(text) from public;
grant execute on function threadguard.base64url_decode(text) to threadguard_operator;  -- add_token_keys
comment on function threadguard.base64url_decode(text) is
    'The bytes a base64url text (RFC 4648 section 5, unpadded, as in JSON Web Tokens) encodes, if it is their canonical spelling; 22023 for any other text.';
