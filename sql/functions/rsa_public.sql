-- threadguard.rsa_public: RSA's public operation, p_base ^ p_exponent mod p_modulus, by
-- square-and-multiply over numeric: what checking an RS256 signature costs (about 17
-- products of 2048-bit numbers for e = 65537; bench/ATTEMPTS.md).

create or replace function threadguard.rsa_public(p_base numeric, p_exponent numeric, p_modulus numeric)
returns numeric
language plpgsql
immutable
strict
parallel safe
set search_path = pg_catalog, pg_temp
as $$
declare
    v_result numeric := 1;
    v_square numeric := p_base;
    v_exponent numeric := p_exponent;
begin
    while v_exponent operator(pg_catalog.>) 0 loop
        if pg_catalog.mod(v_exponent, 2) operator(pg_catalog.=) 1 then
            v_result := pg_catalog.mod(v_result operator(pg_catalog.*) v_square, p_modulus);
        end if;
        v_exponent := pg_catalog.div(v_exponent, 2);
        if v_exponent operator(pg_catalog.>) 0 then
            v_square := pg_catalog.mod(v_square operator(pg_catalog.*) v_square, p_modulus);
        end if;
    end loop;
    return v_result;
end
$$;

revoke all on function threadguard.rsa_public(numeric, numeric, numeric) from public;
comment on function threadguard.rsa_public(numeric, numeric, numeric) is
    'p_base ^ p_exponent mod p_modulus (RSA''s public operation, for RS256).';
