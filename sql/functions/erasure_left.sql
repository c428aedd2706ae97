-- threadguard.erasure_left: what is left of one user of a tenant, or of a whole tenant,
-- in all four tables and the store: the proof that an erasure is complete (all zeros). Audited.

reset role;  -- created as the migrating administrator, then given to threadguard_operator
create or replace function threadguard.erasure_left(p_tenant_id uuid, p_user_id uuid, p_reason text)
returns table (conversations bigint, checkpoints bigint, checkpoint_blobs bigint, checkpoint_writes bigint, store_items bigint)
language plpgsql
-- Definer: it runs as threadguard_operator, which admins cannot become; RLS applies.
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_from text;  -- the tenant's or user's store prefixes, threadguard.store_range
    v_to text;
begin
    if p_tenant_id is null or p_reason is null or pg_catalog.btrim(p_reason) operator(pg_catalog.=) '' then
        raise exception 'threadguard: erasure_left needs a tenant and a reason' using errcode = 'null_value_not_allowed';
    end if;
    select r.range_from, r.range_to into v_from, v_to from threadguard.store_range(p_tenant_id, p_user_id) as r;
    select pg_catalog.count(*) into conversations from threadguard.conversations as k
     where k.tenant_id operator(pg_catalog.=) p_tenant_id and (p_user_id is null or k.user_id operator(pg_catalog.=) p_user_id);
    select pg_catalog.count(*) into checkpoints from public.checkpoints as r
     where r.threadguard_tenant_id operator(pg_catalog.=) p_tenant_id
       and (p_user_id is null or r.threadguard_user_id operator(pg_catalog.=) p_user_id);
    select pg_catalog.count(*) into checkpoint_blobs from public.checkpoint_blobs as r
     where r.threadguard_tenant_id operator(pg_catalog.=) p_tenant_id
       and (p_user_id is null or r.threadguard_user_id operator(pg_catalog.=) p_user_id);
    select pg_catalog.count(*) into checkpoint_writes from public.checkpoint_writes as r
     where r.threadguard_tenant_id operator(pg_catalog.=) p_tenant_id
       and (p_user_id is null or r.threadguard_user_id operator(pg_catalog.=) p_user_id);
    select pg_catalog.count(*) into store_items from public.store as s
     where s.prefix operator(pg_catalog.~>=~) v_from and s.prefix operator(pg_catalog.~<~) v_to;
    insert into threadguard.audit_log (action, tenant_id, user_id, reason, row_count, detail)
    values ('erasure_left', p_tenant_id, p_user_id, p_reason,
            conversations operator(pg_catalog.+) checkpoints operator(pg_catalog.+) checkpoint_blobs
                operator(pg_catalog.+) checkpoint_writes operator(pg_catalog.+) store_items,
            pg_catalog.jsonb_build_object('conversations', conversations, 'checkpoints', checkpoints,
                                          'checkpoint_blobs', checkpoint_blobs, 'checkpoint_writes', checkpoint_writes,
                                          'store_items', store_items));
    return next;
end
$$;
alter function threadguard.erasure_left(uuid, uuid, text) owner to threadguard_operator;
revoke all on function threadguard.erasure_left(uuid, uuid, text) from public;
grant execute on function threadguard.erasure_left(uuid, uuid, text) to threadguard_admin;
comment on function threadguard.erasure_left(uuid, uuid, text) is
    'Erasure proof (operators): how many conversations, checkpoints, blobs, writes and store items of p_user_id in p_tenant_id (the whole tenant when null, shared items included) are left; all zero once an erasure is complete. Audited with p_reason.';
set local role threadguard_owner;
