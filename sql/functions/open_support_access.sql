-- threadguard.open_support_access: a support engineer opens read access to one tenant's
-- conversations for a stated reason and at most 8 hours; audited.

reset role;  -- created as the migrating administrator, then given to threadguard_operator
create or replace function threadguard.open_support_access(p_tenant_id uuid, p_reason text, p_minutes integer default 60)
returns timestamptz
language plpgsql
-- Definer: runs as threadguard_operator, which support engineers cannot become.
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_expires timestamptz;
begin
    if p_tenant_id is null or p_reason is null or pg_catalog.btrim(p_reason) operator(pg_catalog.=) '' then
        raise exception 'threadguard: a support access needs a tenant and a reason' using errcode = 'null_value_not_allowed';
    end if;
    if p_minutes is null or p_minutes not between 1 and 480 then
        raise exception 'threadguard: a support access lasts 1 to 480 minutes (got %)', coalesce(p_minutes::text, 'null')
            using errcode = 'invalid_parameter_value';
    end if;
    insert into threadguard.support_access (tenant_id, reason, expires_at)
    values (p_tenant_id, p_reason, pg_catalog.clock_timestamp() operator(pg_catalog.+) pg_catalog.make_interval(mins => p_minutes))
    returning expires_at into v_expires;
    insert into threadguard.audit_log (action, tenant_id, reason, row_count, detail)
    values ('support_open', p_tenant_id, p_reason, 0, pg_catalog.jsonb_build_object('expires_at', v_expires));
    return v_expires;
end
$$;
alter function threadguard.open_support_access(uuid, text, integer) owner to threadguard_operator;
revoke all on function threadguard.open_support_access(uuid, text, integer) from public;
grant execute on function threadguard.open_support_access(uuid, text, integer) to threadguard_support;
comment on function threadguard.open_support_access(uuid, text, integer) is
    'Support: opens read access to p_tenant_id''s conversations for the calling login, for p_minutes (1-480), with p_reason; returns when it ends. Audited.';
set local role threadguard_owner;
