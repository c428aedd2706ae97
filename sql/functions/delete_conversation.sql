-- threadguard.delete_conversation: deletes one conversation of the current user
-- and, by the checkpoint tables' foreign keys (ON DELETE CASCADE), every checkpoint,
-- blob and write of its thread, atomically. Later writes to the thread are refused
-- by the same keys (no resurrected thread).

create or replace function threadguard.delete_conversation(p_thread_id uuid)
returns boolean
language plpgsql
-- Definer: the same deletion whatever the application's grants on the tables;
-- identity comes only from the context, and RLS still applies.
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_tenant_id uuid;  -- from threadguard.require_context(), read once
    v_user_id uuid;
begin
    select c.tenant_id, c.user_id into v_tenant_id, v_user_id from threadguard.require_context() as c;
    if p_thread_id is null then
        raise exception 'threadguard: p_thread_id must not be null' using errcode = 'null_value_not_allowed';
    end if;
    delete from threadguard.conversations as c
    where c.id operator(pg_catalog.=) p_thread_id
      and c.tenant_id operator(pg_catalog.=) v_tenant_id
      and c.user_id operator(pg_catalog.=) v_user_id;
    return found;
end
$$;

revoke all on function threadguard.delete_conversation(uuid) from public;
grant execute on function threadguard.delete_conversation(uuid) to threadguard_app;
comment on function threadguard.delete_conversation(uuid) is
    'Deletes one conversation of the current user with all its checkpoints, blobs and writes (every namespace) in one transaction. True when deleted; false when the id does not exist or belongs to someone else (indistinguishable). Raises 42501 without a valid context, 22004 for a null id.';
