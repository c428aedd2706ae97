-- threadguard.octets_to_numeric: a big-endian unsigned integer (an RSA modulus, signature
-- or digest) as numeric, 56 bits at a time: RS256 is checked in numeric arithmetic,
-- which every managed PostgreSQL has (no extension, no untrusted language).

create or replace function threadguard.octets_to_numeric(p_octets bytea)
returns numeric
language plpgsql
immutable
strict
parallel safe
set search_path = pg_catalog, pg_temp
as $$
declare
    v_hex constant text := pg_catalog.encode(p_octets, 'hex');
    v_len constant integer := pg_catalog.length(v_hex);
    v_at integer := v_len operator(pg_catalog.%) 14;
    v_value numeric := 0;
begin
    if v_at operator(pg_catalog.>) 0 then  -- the leading odd part
        v_value := (('x' operator(pg_catalog.||) pg_catalog.lpad(pg_catalog.substr(v_hex, 1, v_at), 16, '0'))::bit(64))::bigint;
    end if;
    v_at := v_at operator(pg_catalog.+) 1;
    while v_at operator(pg_catalog.<=) v_len loop
        v_value := v_value operator(pg_catalog.*) 72057594037927936::numeric  -- 2^56
                   operator(pg_catalog.+) (('x' operator(pg_catalog.||) '00' operator(pg_catalog.||) pg_catalog.substr(v_hex, v_at, 14))::bit(64))::bigint;
        v_at := v_at operator(pg_catalog.+) 14;
    end loop;
    return v_value;
end
$$;

revoke all on function threadguard.octets_to_numeric(bytea) from public;
grant execute on function threadguard.octets_to_numeric(bytea) to threadguard_operator;  -- add_token_keys
comment on function threadguard.octets_to_numeric(bytea) is
    'The unsigned big-endian integer p_octets encodes, as numeric (RS256 arithmetic).';
