-- threadguard.store_range: the store prefixes of one user of a tenant (their namespaces), or
-- of a whole tenant (user null: every namespace of it, shared ones included), as the byte-order
-- range [range_from, range_to) the operator functions erase, count and export.

create or replace function threadguard.store_range(p_tenant_id uuid, p_user_id uuid, out range_from text, out range_to text)
language sql
immutable
set search_path = pg_catalog, pg_temp
as $$
    select v.p, pg_catalog.left(v.p, -1) operator(pg_catalog.||) '/'  -- '/' follows '.'
    from (select p_tenant_id::text operator(pg_catalog.||) '.'
                 operator(pg_catalog.||) coalesce(p_user_id::text operator(pg_catalog.||) '.', '') as p) as v
$$;
revoke all on function threadguard.store_range(uuid, uuid) from public;
grant execute on function threadguard.store_range(uuid, uuid) to threadguard_operator;
comment on function threadguard.store_range(uuid, uuid) is
    'The store prefixes of p_user_id in p_tenant_id (''<tenant>.<user>.'' up to ''<tenant>.<user>/''), or of the whole tenant when p_user_id is null (''<tenant>.'' up to ''<tenant>/''), in byte order (~>=~, ~<~).';
