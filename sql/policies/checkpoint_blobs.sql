-- Protection of public.checkpoint_blobs (LangGraph's channel values (the messages themselves)).
-- Reading a row checks the owner stamped on it against the context (two
-- columns, no join; one row sublink on threadguard.context: one InitPlan per
-- statement, plain C calls when the binding set the context). Writing
-- calls threadguard.may_write_thread with the row's thread and stamps: they must
-- be the context, and the thread its conversation (checked once, then
-- remembered for the session until a conversation is deleted; see that file
-- and bench/ATTEMPTS.md for why this is not an EXISTS per row).

alter table public.checkpoint_blobs enable row level security;
alter table public.checkpoint_blobs force row level security;

alter table public.checkpoint_blobs
    alter column threadguard_tenant_id set default threadguard.current_tenant_id(),
    alter column threadguard_user_id set default threadguard.current_user_id();

-- Exactly what LangGraph's saver needs: no TRUNCATE (it ignores RLS), REFERENCES or TRIGGER.
revoke all on table public.checkpoint_blobs from public, threadguard_app, threadguard_admin;
grant select, insert, update, delete on table public.checkpoint_blobs to threadguard_app;

drop policy if exists checkpoint_blobs_owner_select on public.checkpoint_blobs;
create policy checkpoint_blobs_owner_select on public.checkpoint_blobs
    for select
    using ((threadguard_tenant_id, threadguard_user_id)
           = (select tenant_id, user_id from threadguard.context));
comment on policy checkpoint_blobs_owner_select on public.checkpoint_blobs is
    'A blob is visible only to the tenant and user that wrote it; rows from before adoption (no owner) and every row without a valid context are invisible.';

drop policy if exists checkpoint_blobs_owner_insert on public.checkpoint_blobs;
create policy checkpoint_blobs_owner_insert on public.checkpoint_blobs
    for insert
    with check (threadguard.may_write_thread(thread_id, threadguard_tenant_id, threadguard_user_id));
comment on policy checkpoint_blobs_owner_insert on public.checkpoint_blobs is
    'A blob can be written only into a thread whose conversation belongs to the current tenant and user, stamped with them.';

drop policy if exists checkpoint_blobs_owner_update on public.checkpoint_blobs;
create policy checkpoint_blobs_owner_update on public.checkpoint_blobs
    for update
    using ((threadguard_tenant_id, threadguard_user_id)
           = (select tenant_id, user_id from threadguard.context))
    with check (threadguard.may_write_thread(thread_id, threadguard_tenant_id, threadguard_user_id));
comment on policy checkpoint_blobs_owner_update on public.checkpoint_blobs is
    'Only the owner updates a blob (upserts, prune), and it cannot be moved into a thread the owner does not own.';

drop policy if exists checkpoint_blobs_owner_delete on public.checkpoint_blobs;
create policy checkpoint_blobs_owner_delete on public.checkpoint_blobs
    for delete
    using ((threadguard_tenant_id, threadguard_user_id)
           = (select tenant_id, user_id from threadguard.context));
comment on policy checkpoint_blobs_owner_delete on public.checkpoint_blobs is
    'Only the owner deletes a blob (delete_thread, prune); other rows are silently out of reach.';
