-- Protection of public.checkpoint_writes (LangGraph's pending writes, which get_tuple hands back as if the graph had produced them).
-- Reading a row checks the owner stamped on it against the context (two
-- columns, no join; one row sublink on threadguard.context: one InitPlan per
-- statement, plain C calls when the binding set the context). Writing
-- calls threadguard.may_write_thread with the row's thread and stamps: they must
-- be the context, and the thread its conversation (checked once, then
-- remembered for the session until a conversation is deleted; see that file
-- and bench/ATTEMPTS.md for why this is not an EXISTS per row).

alter table public.checkpoint_writes enable row level security;
alter table public.checkpoint_writes force row level security;

alter table public.checkpoint_writes
    alter column threadguard_tenant_id set default threadguard.current_tenant_id(),
    alter column threadguard_user_id set default threadguard.current_user_id();

-- Exactly what LangGraph's saver needs: no TRUNCATE (it ignores RLS), REFERENCES or TRIGGER.
revoke all on table public.checkpoint_writes from public, threadguard_app, threadguard_admin;
grant select, insert, update, delete on table public.checkpoint_writes to threadguard_app;

drop policy if exists checkpoint_writes_owner_select on public.checkpoint_writes;
create policy checkpoint_writes_owner_select on public.checkpoint_writes
    for select
    using ((threadguard_tenant_id, threadguard_user_id)
           = (select tenant_id, user_id from threadguard.context));
comment on policy checkpoint_writes_owner_select on public.checkpoint_writes is
    'A pending write is visible only to the tenant and user that wrote it; rows from before adoption (no owner) and every row without a valid context are invisible.';

drop policy if exists checkpoint_writes_owner_insert on public.checkpoint_writes;
create policy checkpoint_writes_owner_insert on public.checkpoint_writes
    for insert
    with check (threadguard.may_write_thread(thread_id, threadguard_tenant_id, threadguard_user_id));
comment on policy checkpoint_writes_owner_insert on public.checkpoint_writes is
    'A pending write can be written only into a thread whose conversation belongs to the current tenant and user, stamped with them.';

drop policy if exists checkpoint_writes_owner_update on public.checkpoint_writes;
create policy checkpoint_writes_owner_update on public.checkpoint_writes
    for update
    using ((threadguard_tenant_id, threadguard_user_id)
           = (select tenant_id, user_id from threadguard.context))
    with check (threadguard.may_write_thread(thread_id, threadguard_tenant_id, threadguard_user_id));
comment on policy checkpoint_writes_owner_update on public.checkpoint_writes is
    'Only the owner updates a pending write (upserts, prune), and it cannot be moved into a thread the owner does not own.';

drop policy if exists checkpoint_writes_owner_delete on public.checkpoint_writes;
create policy checkpoint_writes_owner_delete on public.checkpoint_writes
    for delete
    using ((threadguard_tenant_id, threadguard_user_id)
           = (select tenant_id, user_id from threadguard.context));
comment on policy checkpoint_writes_owner_delete on public.checkpoint_writes is
    'Only the owner deletes a pending write (delete_thread, prune); other rows are silently out of reach.';
