-- threadguard.thread_awaits_adoption: whether LangGraph rows nobody owns yet carry this thread
-- id (written before threadguard, waiting for threadguard adopt). create_conversation refuses
-- such an id, so that no application can squat a thread whose history belongs to someone else.

reset role;  -- created as the migrating administrator, then given to threadguard_operator
create or replace function threadguard.thread_awaits_adoption(p_thread_id text)
returns boolean
language sql
stable
-- Definer: it runs as threadguard_operator, whose policies see rows nobody owns; it answers one
-- boolean about one exact id.
security definer
set search_path = pg_catalog, pg_temp
as $$
    select exists (select from public.checkpoints as c
                    where c.thread_id operator(pg_catalog.=) p_thread_id and c.threadguard_tenant_id is null)
        or exists (select from public.checkpoint_blobs as b
                    where b.thread_id operator(pg_catalog.=) p_thread_id and b.threadguard_tenant_id is null)
        or exists (select from public.checkpoint_writes as w
                    where w.thread_id operator(pg_catalog.=) p_thread_id and w.threadguard_tenant_id is null)
$$;
alter function threadguard.thread_awaits_adoption(text) owner to threadguard_operator;
revoke all on function threadguard.thread_awaits_adoption(text) from public;
grant execute on function threadguard.thread_awaits_adoption(text) to threadguard_owner;
comment on function threadguard.thread_awaits_adoption(text) is
    'Whether checkpoint, blob or write rows nobody owns yet (awaiting threadguard adopt) carry thread id p_thread_id; create_conversation refuses such an id. Only the owner role (its definer functions) may ask.';
set local role threadguard_owner;
