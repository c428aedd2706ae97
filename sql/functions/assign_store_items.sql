-- threadguard.assign_store_items: gives the items of an adopted store that sit outside the
-- namespace convention (nobody's, invisible to every identity) to one user, by moving
-- namespace p_prefix (and those under it) to (tenant_id, user_id, *p_prefix). Audited.

reset role;  -- created as the migrating administrator, then given to threadguard_operator
create or replace function threadguard.assign_store_items(p_prefix text, p_tenant_id uuid, p_user_id uuid, p_reason text)
returns bigint
language plpgsql
-- Definer: runs as threadguard_operator, whose policies reach every tenant.
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_n bigint;
begin
    if p_prefix is null or p_prefix operator(pg_catalog.=) '' or p_tenant_id is null or p_user_id is null
       or p_reason is null or pg_catalog.btrim(p_reason) operator(pg_catalog.=) '' then
        raise exception 'threadguard: assign_store_items needs a namespace, a tenant, a user and a reason'
            using errcode = 'null_value_not_allowed';
    end if;
    if p_prefix operator(pg_catalog.~) '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}([.]|$)' then
        raise exception 'threadguard: namespace % already starts with a tenant id: it is someone''s', p_prefix
            using errcode = 'invalid_parameter_value';
    end if;
    begin
    update public.store as s
       set prefix = p_tenant_id::text operator(pg_catalog.||) '.' operator(pg_catalog.||) p_user_id::text
                    operator(pg_catalog.||) '.' operator(pg_catalog.||) s.prefix
     where s.prefix operator(pg_catalog.=) p_prefix
        or (s.prefix operator(pg_catalog.~>=~) (p_prefix operator(pg_catalog.||) '.')
            and s.prefix operator(pg_catalog.~<~) (p_prefix operator(pg_catalog.||) '/'));
    exception when unique_violation then
        raise exception 'threadguard: that user already has an item with the same namespace and key as one of namespace %; nothing was moved', p_prefix
            using errcode = 'unique_violation',
                  hint = 'Move or delete one of the two (as the DBA), then assign again.';
    end;
    get diagnostics v_n = row_count;
    insert into threadguard.audit_log (action, tenant_id, user_id, reason, row_count, detail)
    values ('assign_store_items', p_tenant_id, p_user_id, p_reason, v_n, pg_catalog.jsonb_build_object('namespace', p_prefix));
    return v_n;
end
$$;
alter function threadguard.assign_store_items(text, uuid, uuid, text) owner to threadguard_operator;
revoke all on function threadguard.assign_store_items(text, uuid, uuid, text) from public;
grant execute on function threadguard.assign_store_items(text, uuid, uuid, text) to threadguard_admin;
comment on function threadguard.assign_store_items(text, uuid, uuid, text) is
    'Adoption (operators): moves the store items of namespace p_prefix (dot-joined, as LangGraph stores it) and the namespaces under it into (p_tenant_id, p_user_id, ...), where that user sees them; returns how many. Refuses a namespace that already starts with a tenant id, and moves nothing when the user already holds one of the keys (23505). Audited with p_reason.';
set local role threadguard_owner;
