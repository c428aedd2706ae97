-- threadguard.set_retention: sets one tenant's retention policy, or the default (null
-- tenant); audited. apply_retention applies them.

reset role;  -- created as the migrating administrator, then given to threadguard_operator
create or replace function threadguard.set_retention(p_tenant_id uuid, p_idle_days integer, p_keep_checkpoints integer, p_reason text)
returns void
language plpgsql
-- Definer: runs as threadguard_operator, the only role that writes the policies.
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_tenant uuid := coalesce(p_tenant_id, '00000000-0000-0000-0000-000000000000'::pg_catalog.uuid);  -- COALESCE is syntax
begin
    if p_reason is null or pg_catalog.btrim(p_reason) operator(pg_catalog.=) '' then
        raise exception 'threadguard: a retention policy needs a reason' using errcode = 'null_value_not_allowed';
    end if;
    insert into threadguard.retention_policies as r (tenant_id, idle_days, keep_checkpoints)
    values (v_tenant, p_idle_days, p_keep_checkpoints)
    on conflict (tenant_id) do update
        set idle_days = excluded.idle_days, keep_checkpoints = excluded.keep_checkpoints, updated_at = pg_catalog.clock_timestamp();
    insert into threadguard.audit_log (action, tenant_id, reason, row_count, detail)
    values ('set_retention', p_tenant_id, p_reason, 1,
            pg_catalog.jsonb_build_object('idle_days', p_idle_days, 'keep_checkpoints', p_keep_checkpoints));
end
$$;
alter function threadguard.set_retention(uuid, integer, integer, text) owner to threadguard_operator;
revoke all on function threadguard.set_retention(uuid, integer, integer, text) from public;
grant execute on function threadguard.set_retention(uuid, integer, integer, text) to threadguard_admin;
comment on function threadguard.set_retention(uuid, integer, integer, text) is
    'Retention (operators): p_tenant_id''s policy (null: the default for tenants without one): delete conversations idle for p_idle_days (null: never), keep each thread''s latest p_keep_checkpoints root checkpoints (null: all). Audited with p_reason.';
set local role threadguard_owner;
