-- Protection of public.checkpoints (LangGraph's checkpoints: each thread's state history, with inline channel values).
-- Reading a row checks the owner stamped on it against the context (two
-- columns, no join; one row sublink on threadguard.context: one InitPlan per
-- statement, plain C calls when the binding set the context). Writing
-- calls threadguard.may_write_thread with the row's thread and stamps: they must
-- be the context, and the thread its conversation (checked once, then
-- remembered for the session until a conversation is deleted; see that file
-- and bench/ATTEMPTS.md for why this is not an EXISTS per row).

alter table public.checkpoints enable row level security;
alter table public.checkpoints force row level security;

alter table public.checkpoints
    alter column threadguard_tenant_id set default threadguard.current_tenant_id(),
    alter column threadguard_user_id set default threadguard.current_user_id();

-- Exactly what LangGraph's saver needs: no TRUNCATE (it ignores RLS), REFERENCES or TRIGGER.
revoke all on table public.checkpoints from public, threadguard_app, threadguard_admin;
grant select, insert, update, delete on table public.checkpoints to threadguard_app;

drop policy if exists checkpoints_owner_select on public.checkpoints;
create policy checkpoints_owner_select on public.checkpoints
    for select
    using ((threadguard_tenant_id, threadguard_user_id)
           = (select tenant_id, user_id from threadguard.context));
comment on policy checkpoints_owner_select on public.checkpoints is
    'A checkpoint is visible only to the tenant and user that wrote it; rows from before adoption (no owner) and every row without a valid context are invisible.';

drop policy if exists checkpoints_owner_insert on public.checkpoints;
create policy checkpoints_owner_insert on public.checkpoints
    for insert
    with check (threadguard.may_write_thread(thread_id, threadguard_tenant_id, threadguard_user_id));
comment on policy checkpoints_owner_insert on public.checkpoints is
    'A checkpoint can be written only into a thread whose conversation belongs to the current tenant and user, stamped with them.';

drop policy if exists checkpoints_owner_update on public.checkpoints;
create policy checkpoints_owner_update on public.checkpoints
    for update
    using ((threadguard_tenant_id, threadguard_user_id)
           = (select tenant_id, user_id from threadguard.context))
    with check (threadguard.may_write_thread(thread_id, threadguard_tenant_id, threadguard_user_id));
comment on policy checkpoints_owner_update on public.checkpoints is
    'Only the owner updates a checkpoint (upserts, prune), and it cannot be moved into a thread the owner does not own.';

drop policy if exists checkpoints_owner_delete on public.checkpoints;
create policy checkpoints_owner_delete on public.checkpoints
    for delete
    using ((threadguard_tenant_id, threadguard_user_id)
           = (select tenant_id, user_id from threadguard.context));
comment on policy checkpoints_owner_delete on public.checkpoints is
    'Only the owner deletes a checkpoint (delete_thread, prune); other rows are silently out of reach.';
