-- threadguard.erase: erases one user of a tenant, or a whole tenant, in bounded batches:
-- each call deletes up to p_batch of their conversations (the ownership keys take every
-- checkpoint, blob and write along) and up to p_batch of their store items, records it in
-- the audit log, and says how many are left. Owned by threadguard_operator, the only role
-- whose policies reach every tenant.

reset role;  -- created as the migrating administrator, then given to threadguard_operator
create or replace function threadguard.erase(
    p_tenant_id uuid,
    p_user_id uuid,
    p_reason text,
    p_batch integer default 500
)
returns table (erased bigint, remaining bigint)
language plpgsql
-- Definer: it runs as threadguard_operator, which admins cannot become; RLS applies.
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_from text;  -- the tenant's or user's store prefixes, threadguard.store_range
    v_to text;
    v_conversations bigint;
    v_items bigint;
begin
    if p_tenant_id is null or p_reason is null or pg_catalog.btrim(p_reason) operator(pg_catalog.=) '' then
        raise exception 'threadguard: erase needs a tenant and a reason (user null: the whole tenant)'
            using errcode = 'null_value_not_allowed';
    end if;
    if p_batch is null or p_batch not between 1 and 10000 then
        raise exception 'threadguard: p_batch must be between 1 and 10000 (got %)', coalesce(p_batch::text, 'null')
            using errcode = 'invalid_parameter_value';
    end if;
    select r.range_from, r.range_to into v_from, v_to from threadguard.store_range(p_tenant_id, p_user_id) as r;
    delete from threadguard.conversations as c
     where c.id operator(pg_catalog.=) any (array(
            select k.id from threadguard.conversations as k
             where k.tenant_id operator(pg_catalog.=) p_tenant_id
               and (p_user_id is null or k.user_id operator(pg_catalog.=) p_user_id)
             limit p_batch));
    get diagnostics v_conversations = row_count;
    -- The user's namespaces (tenant_id.user_id.*), or all of the tenant's (tenant_id.*).
    delete from public.store as s
     where s.ctid operator(pg_catalog.=) any (array(
            select k.ctid from public.store as k
             where k.prefix operator(pg_catalog.~>=~) v_from and k.prefix operator(pg_catalog.~<~) v_to
             limit p_batch));
    get diagnostics v_items = row_count;
    erased := v_conversations operator(pg_catalog.+) v_items;
    select pg_catalog.count(*) into remaining from threadguard.conversations as k
     where k.tenant_id operator(pg_catalog.=) p_tenant_id
       and (p_user_id is null or k.user_id operator(pg_catalog.=) p_user_id);
    remaining := remaining operator(pg_catalog.+) (select pg_catalog.count(*) from public.store as k
     where k.prefix operator(pg_catalog.~>=~) v_from and k.prefix operator(pg_catalog.~<~) v_to);
    insert into threadguard.audit_log (action, tenant_id, user_id, reason, row_count, detail)
    values ('erase', p_tenant_id, p_user_id, p_reason, erased,
            pg_catalog.jsonb_build_object('conversations', v_conversations, 'store_items', v_items, 'remaining', remaining));
    return next;
end
$$;
alter function threadguard.erase(uuid, uuid, text, integer) owner to threadguard_operator;
revoke all on function threadguard.erase(uuid, uuid, text, integer) from public;
grant execute on function threadguard.erase(uuid, uuid, text, integer) to threadguard_admin;
comment on function threadguard.erase(uuid, uuid, text, integer) is
    'Erasure (operators): deletes up to p_batch conversations of p_user_id in p_tenant_id (of the whole tenant when p_user_id is null) with all their checkpoints, blobs and writes, and up to p_batch of their store items (the user''s namespaces; the whole tenant''s, shared ones included, when p_user_id is null); returns how many conversations and items it erased and how many are left (call again until none is). Every call is audited with p_reason.';
set local role threadguard_owner;
