-- threadguard.authenticated_identity: the tenant and user of the token bound to this
-- transaction (app.token) if present_token verified it and it has not expired; nulls
-- otherwise. What a sealed database's threadguard.context reads instead of app.tenant_id and
-- app.user_id. A function, not a view over verified_tokens: a view costs every statement the
-- planning of one more scan per policy, the call ~10-40 µs of execution (bench/ATTEMPTS.md).

create or replace function threadguard.authenticated_identity(out tenant_id uuid, out user_id uuid)
language plpgsql
stable
-- Definer: verified_tokens is readable by the owner role alone.
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_token constant text := pg_catalog.current_setting('app.token', true);
begin
    if v_token operator(pg_catalog.<>) '' then
        select t.tenant_id, t.user_id into tenant_id, user_id
          from threadguard.verified_tokens as t
         where t.token_hash operator(pg_catalog.=) pg_catalog.sha256(pg_catalog.convert_to(v_token, 'UTF8'))
           and t.expires_at operator(pg_catalog.>) pg_catalog.statement_timestamp();
    end if;
end
$$;

revoke all on function threadguard.authenticated_identity() from public;
grant execute on function threadguard.authenticated_identity() to threadguard_app, threadguard_admin, threadguard_operator;
comment on function threadguard.authenticated_identity() is
    'The (tenant_id, user_id) of the token in app.token if threadguard.present_token verified it, it has not expired and its key is still configured; nulls otherwise. A sealed database''s policies read only this.';
