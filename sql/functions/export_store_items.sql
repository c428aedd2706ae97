-- threadguard.export_store_items: one user's store items (their namespaces), or a whole
-- tenant's (shared ones included), for an export (threadguard export); audited.

reset role;  -- created as the migrating administrator, then given to threadguard_operator
create or replace function threadguard.export_store_items(p_tenant_id uuid, p_user_id uuid, p_reason text)
returns table (
    namespace text[], key text, value jsonb, created_at timestamptz, updated_at timestamptz,
    expires_at timestamptz, ttl_minutes integer
)
language plpgsql
-- Definer: runs as threadguard_operator, whose policies reach every tenant.
security definer
set search_path = pg_catalog, pg_temp
as $$
#variable_conflict use_column
declare
    v_from text;  -- the tenant's or user's store prefixes, threadguard.store_range
    v_to text;
    v_n bigint;
begin
    if p_tenant_id is null or p_reason is null or pg_catalog.btrim(p_reason) operator(pg_catalog.=) '' then
        raise exception 'threadguard: an export needs a tenant and a reason' using errcode = 'null_value_not_allowed';
    end if;
    select r.range_from, r.range_to into v_from, v_to from threadguard.store_range(p_tenant_id, p_user_id) as r;
    return query
    select pg_catalog.string_to_array(s.prefix, '.'), s.key, s.value, s.created_at, s.updated_at, s.expires_at, s.ttl_minutes
      from public.store as s
     where s.prefix operator(pg_catalog.~>=~) v_from and s.prefix operator(pg_catalog.~<~) v_to
     order by s.prefix, s.key;
    get diagnostics v_n = row_count;
    insert into threadguard.audit_log (action, tenant_id, user_id, reason, row_count)
    values ('export_store', p_tenant_id, p_user_id, p_reason, v_n);
end
$$;
alter function threadguard.export_store_items(uuid, uuid, text) owner to threadguard_operator;
revoke all on function threadguard.export_store_items(uuid, uuid, text) from public;
grant execute on function threadguard.export_store_items(uuid, uuid, text) to threadguard_admin;
comment on function threadguard.export_store_items(uuid, uuid, text) is
    'Export (operators): the store items of p_user_id in p_tenant_id (their namespaces; the whole tenant''s, shared ones included, when null), namespace as LangGraph''s tuple, by namespace and key. Audited with p_reason and the count.';
set local role threadguard_owner;
