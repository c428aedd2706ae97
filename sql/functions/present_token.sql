-- threadguard.present_token: what the binding sends first in every transaction of a sealed
-- identity. Binds the token to this transaction (app.token, transaction-local), verifies it
-- the first time it is seen (threadguard.verify_token; remembered in verified_tokens until it
-- expires), and sets app.tenant_id/app.user_id from its claims for column defaults.

create or replace function threadguard.present_token(p_token text)
returns void
language plpgsql
volatile
-- Definer: reads and records verified tokens, which no application role may read or write.
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_hash bytea;
    v_tenant uuid;
    v_user uuid;
    v_verified record;
begin
    perform pg_catalog.set_config('app.token', coalesce(p_token, ''), true);
    -- A token seen before: the lookup every policy makes (nulls for an empty or unknown token).
    select i.tenant_id, i.user_id into v_tenant, v_user from threadguard.authenticated_identity() as i;
    if v_tenant is null and coalesce(p_token, '') operator(pg_catalog.<>) '' then
        select * into strict v_verified from threadguard.verify_token(p_token);
        v_tenant := v_verified.tenant_id;
        v_user := v_verified.user_id;
        if pg_catalog.current_setting('transaction_read_only') operator(pg_catalog.=) 'on' then
            raise exception 'threadguard: a token is verified once in a read-write transaction before read-only ones can use it'
                using errcode = 'read_only_sql_transaction',
                      hint = 'Present it first in a transaction that may write (on the primary, for a replica).';
        end if;
        v_hash := pg_catalog.sha256(pg_catalog.convert_to(p_token, 'UTF8'));
        insert into threadguard.verified_tokens (token_hash, kid, tenant_id, user_id, expires_at)
        values (v_hash, v_verified.kid, v_tenant, v_user, v_verified.expires_at)
        on conflict (token_hash) do update set expires_at = excluded.expires_at;
        delete from threadguard.verified_tokens as t
         where t.token_hash operator(pg_catalog.=) any (array(
               select o.token_hash from threadguard.verified_tokens as o
                where o.expires_at operator(pg_catalog.<=) pg_catalog.statement_timestamp() limit 100));
    end if;
    perform pg_catalog.set_config('app.tenant_id', coalesce(v_tenant::text, ''), true),
            pg_catalog.set_config('app.user_id', coalesce(v_user::text, ''), true);
end
$$;

revoke all on function threadguard.present_token(text) from public;
grant execute on function threadguard.present_token(text) to threadguard_app;
comment on function threadguard.present_token(text) is
    'Binds p_token to the current transaction (app.token) after checking it (threadguard.verify_token, once per token until it expires), and sets app.tenant_id and app.user_id from its claims; an empty or null token binds nobody. Raises 28000 naming the reason for a token it refuses. The binding sends it first in every transaction of acting_as(..., token=...).';
