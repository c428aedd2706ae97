-- threadguard.support_checkpoint: the latest root checkpoint of one conversation of a
-- tenant, for a support engineer with an open access to that tenant; audited.

reset role;  -- created as the migrating administrator, then given to threadguard_operator
create or replace function threadguard.support_checkpoint(p_tenant_id uuid, p_thread_id uuid)
returns table (thread_id uuid, user_id uuid, checkpoint_id text, metadata jsonb, checkpoint jsonb)
language plpgsql
-- Definer: runs as threadguard_operator, whose policies reach every tenant; it checks the access itself.
security definer
set search_path = pg_catalog, pg_temp
as $$
#variable_conflict use_column
declare
    v_access bigint;
    v_n bigint;
begin
    v_access := threadguard.support_access_id(p_tenant_id);
    return query
    select c.id, c.user_id, k.checkpoint_id, k.metadata, k.checkpoint
      from threadguard.conversations as c
      left join lateral (
            select cp.checkpoint_id, cp.metadata, cp.checkpoint from public.checkpoints as cp
             where cp.thread_id operator(pg_catalog.=) c.thread_id and cp.checkpoint_ns operator(pg_catalog.=) ''
             order by cp.checkpoint_id desc limit 1) as k on true
     where c.id operator(pg_catalog.=) p_thread_id and c.tenant_id operator(pg_catalog.=) p_tenant_id;
    get diagnostics v_n = row_count;
    insert into threadguard.audit_log (action, tenant_id, reason, row_count, detail)
    select 'support_read', p_tenant_id, a.reason, v_n,
           pg_catalog.jsonb_build_object('access', a.id, 'call', 'support_checkpoint', 'thread_id', p_thread_id)
      from threadguard.support_access as a where a.id operator(pg_catalog.=) v_access;
end
$$;
alter function threadguard.support_checkpoint(uuid, uuid) owner to threadguard_operator;
revoke all on function threadguard.support_checkpoint(uuid, uuid) from public;
grant execute on function threadguard.support_checkpoint(uuid, uuid) to threadguard_support;
comment on function threadguard.support_checkpoint(uuid, uuid) is
    'Support: one conversation of p_tenant_id with its latest root checkpoint, for a login with an open access to that tenant (42501 otherwise); no row when the thread is absent or of another tenant. Read-only; audited.';
set local role threadguard_owner;
