-- threadguard.current_tenant_id: the tenant of the current connection, from app.tenant_id.
-- Every policy and API function reads the tenant through this, never current_setting.

create or replace function threadguard.current_tenant_id()
returns uuid
language plpgsql
stable
parallel safe
as $$
begin
    return threadguard.context_uuid('app.tenant_id');
end
$$;

revoke all on function threadguard.current_tenant_id() from public;
grant execute on function threadguard.current_tenant_id() to threadguard_app, threadguard_admin;
comment on function threadguard.current_tenant_id() is
    'Tenant of the current connection (setting app.tenant_id), or null when it is unset, empty or not a uuid. Policies call it inside one (select ...) sublink, so it runs once per statement as an InitPlan.';
