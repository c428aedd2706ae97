-- threadguard.support_conversations: one tenant's conversations, most recently active
-- first, for a support engineer with an open access to that tenant; every call audited.

reset role;  -- created as the migrating administrator, then given to threadguard_operator
create or replace function threadguard.support_conversations(p_tenant_id uuid, p_limit integer default 50)
returns table (thread_id uuid, user_id uuid, title text, created_at timestamptz, updated_at timestamptz)
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
    select c.id, c.user_id, c.title, c.created_at, c.updated_at
      from threadguard.conversations as c
     where c.tenant_id operator(pg_catalog.=) p_tenant_id
     order by c.updated_at desc, c.id desc
     limit least(greatest(coalesce(p_limit, 50), 1), 200);  -- LEAST/GREATEST/COALESCE are syntax
    get diagnostics v_n = row_count;
    insert into threadguard.audit_log (action, tenant_id, reason, row_count, detail)
    select 'support_read', p_tenant_id, a.reason, v_n, pg_catalog.jsonb_build_object('access', a.id, 'call', 'support_conversations')
      from threadguard.support_access as a where a.id operator(pg_catalog.=) v_access;
end
$$;
alter function threadguard.support_conversations(uuid, integer) owner to threadguard_operator;
revoke all on function threadguard.support_conversations(uuid, integer) from public;
grant execute on function threadguard.support_conversations(uuid, integer) to threadguard_support;
comment on function threadguard.support_conversations(uuid, integer) is
    'Support: p_tenant_id''s conversations (at most p_limit, 1-200), most recently active first, for a login with an open access to that tenant (42501 otherwise). Read-only; audited.';
set local role threadguard_owner;
