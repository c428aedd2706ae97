-- threadguard.export_conversations: one user's, or a whole tenant's, conversations for
-- an export (threadguard export); audited. Their checkpoints come from export_checkpoints.

reset role;  -- created as the migrating administrator, then given to threadguard_operator
create or replace function threadguard.export_conversations(p_tenant_id uuid, p_user_id uuid, p_reason text)
returns table (thread_id uuid, user_id uuid, title text, created_at timestamptz, updated_at timestamptz)
language plpgsql
-- Definer: runs as threadguard_operator, whose policies reach every tenant.
security definer
set search_path = pg_catalog, pg_temp
as $$
#variable_conflict use_column
declare
    v_n bigint;
begin
    if p_tenant_id is null or p_reason is null or pg_catalog.btrim(p_reason) operator(pg_catalog.=) '' then
        raise exception 'threadguard: an export needs a tenant and a reason' using errcode = 'null_value_not_allowed';
    end if;
    return query
    select c.id, c.user_id, c.title, c.created_at, c.updated_at from threadguard.conversations as c
     where c.tenant_id operator(pg_catalog.=) p_tenant_id and (p_user_id is null or c.user_id operator(pg_catalog.=) p_user_id)
     order by c.id;
    get diagnostics v_n = row_count;
    insert into threadguard.audit_log (action, tenant_id, user_id, reason, row_count)
    values ('export', p_tenant_id, p_user_id, p_reason, v_n);
end
$$;
alter function threadguard.export_conversations(uuid, uuid, text) owner to threadguard_operator;
revoke all on function threadguard.export_conversations(uuid, uuid, text) from public;
grant execute on function threadguard.export_conversations(uuid, uuid, text) to threadguard_admin;
comment on function threadguard.export_conversations(uuid, uuid, text) is
    'Export (operators): the conversations of p_user_id in p_tenant_id (the whole tenant when null), by id. Audited with p_reason and the count.';
set local role threadguard_owner;
