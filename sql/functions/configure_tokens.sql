-- threadguard.configure_tokens: how tokens are checked (iss, aud, leeway) and which claims
-- name the tenant and user. Audited; threadguard seal (the owner's) turns the mode on.
reset role;  -- created as the migrating administrator, then given to threadguard_operator
create or replace function threadguard.configure_tokens(
    p_issuer text, p_audience text, p_tenant_claim text default 'tenant_id', p_user_claim text default 'sub',
    p_claims_as text default 'uuid', p_leeway interval default '30 seconds')
returns void
language plpgsql
-- Definer: runs as threadguard_operator, the only role that writes the settings.
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    update threadguard.token_settings as s
       set issuer = p_issuer, audience = p_audience, tenant_claim = p_tenant_claim, user_claim = p_user_claim,
           claims_as = p_claims_as, leeway = p_leeway;
    delete from threadguard.verified_tokens;  -- checked under the old settings: check again
    insert into threadguard.audit_log (action, reason, row_count, detail)
    values ('configure_tokens', 'token settings', 1,
            pg_catalog.jsonb_build_object('issuer', p_issuer, 'audience', p_audience, 'tenant_claim', p_tenant_claim,
                                          'user_claim', p_user_claim, 'claims_as', p_claims_as, 'leeway', p_leeway));
end
$$;
alter function threadguard.configure_tokens(text, text, text, text, text, interval) owner to threadguard_operator;
revoke all on function threadguard.configure_tokens(text, text, text, text, text, interval) from public;
grant execute on function threadguard.configure_tokens(text, text, text, text, text, interval) to threadguard_admin;
comment on function threadguard.configure_tokens(text, text, text, text, text, interval) is
    'Tokens (administrators): the iss and aud a token must carry (null: not checked), the claims naming tenant and user (dots reach into objects), how they become uuids (uuid or hashed) and the leeway on exp/nbf. Forgets every verified token; audited.';
set local role threadguard_owner;
