-- threadguard.token_identity: the tenant and user of the token bound to this transaction
-- (app.token) if it was verified and has not expired; nulls otherwise. What a sealed
-- database's threadguard.context reads instead of app.tenant_id and app.user_id.

create or replace function threadguard.token_identity(out tenant_id uuid, out user_id uuid)
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

revoke all on function threadguard.token_identity() from public;
grant execute on function threadguard.token_identity() to threadguard_app, threadguard_admin, threadguard_operator;
comment on function threadguard.token_identity() is
    'The (tenant_id, user_id) of the token in app.token if threadguard.present_token verified it and it has not expired (the key still configured); nulls otherwise. A sealed database''s policies read only this.';
