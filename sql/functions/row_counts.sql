-- threadguard.row_counts: how many rows each protected table holds per tenant (every
-- tenant's, and the rows nobody owns yet), for proving a restore or a copy whole: run it
-- before the dump and after the restore, and compare. Audited.

reset role;  -- created as the migrating administrator, then given to threadguard_operator
create or replace function threadguard.row_counts(p_reason text)
returns table (table_name text, tenant_id uuid, row_count bigint)
language plpgsql
-- Definer: it runs as threadguard_operator, whose policies read every tenant's rows and
-- which admins cannot become; only counts leave it.
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_lines bigint;  -- how many (table, tenant) lines were returned
begin
    if p_reason is null or pg_catalog.btrim(p_reason) operator(pg_catalog.=) '' then
        raise exception 'threadguard: row_counts needs a reason (recorded in threadguard.audit_log)'
            using errcode = 'null_value_not_allowed';
    end if;
    return query
    select 'threadguard.conversations'::text, k.tenant_id, pg_catalog.count(*)
      from threadguard.conversations as k group by 2
    union all
    select 'public.checkpoints', r.threadguard_tenant_id, pg_catalog.count(*) from public.checkpoints as r group by 2
    union all
    select 'public.checkpoint_blobs', r.threadguard_tenant_id, pg_catalog.count(*) from public.checkpoint_blobs as r group by 2
    union all
    select 'public.checkpoint_writes', r.threadguard_tenant_id, pg_catalog.count(*) from public.checkpoint_writes as r group by 2
    union all
    -- A store item's tenant is its namespace's first label, when that is a uuid (else nobody's).
    select 'public.store',
           case when pg_catalog.split_part(s.prefix, '.', 1)
                     operator(pg_catalog.~) '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                then pg_catalog.split_part(s.prefix, '.', 1)::pg_catalog.uuid end,
           pg_catalog.count(*)
      from public.store as s group by 2
    order by 1, 2 nulls first;
    get diagnostics v_lines = row_count;
    insert into threadguard.audit_log (action, reason, row_count, detail)
    values ('row_counts', p_reason, 0, pg_catalog.jsonb_build_object('lines', v_lines));
end
$$;
alter function threadguard.row_counts(text) owner to threadguard_operator;
revoke all on function threadguard.row_counts(text) from public;
grant execute on function threadguard.row_counts(text) to threadguard_admin;
comment on function threadguard.row_counts(text) is
    'Restore proof (operators): rows per protected table and tenant (tenant null: rows nobody owns yet), every tenant''s; compare the output before a dump and after its restore. Audited with p_reason.';
set local role threadguard_owner;
