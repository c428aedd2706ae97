-- Protection of public.checkpoints (LangGraph's checkpoints: each thread's state history, with inline channel values).
-- Reading a row compares the owner stamped on it, as text, with the context
-- settings (two columns, no join, no sublink; see "Reads" below). Writing
-- calls threadguard.may_write_thread with the row's thread and stamps: they must
-- be the context, and the thread its conversation (checked once, then
-- remembered for the session until a conversation is deleted; see that file
-- and bench/ATTEMPTS.md for why this is not an EXISTS per row).

-- Reads: a stamp's text is a canonical lower-case uuid, never nil (the write
-- check accepts only stamps equal to a valid context), so the comparison is
-- true exactly when the setting is that uuid in the one form
-- threadguard.context_uuid accepts: unset, empty, malformed, nil or another
-- spelling matches no row, without raising. Why this table does not use the
-- threadguard.context view like the others: the saver writes every checkpoint
-- with INSERT ... ON CONFLICT DO UPDATE, and PostgreSQL applies these USING
-- expressions to that statement four times (the select policy to the inserted,
-- the conflicting and the updated row, the update policy to the conflicting
-- one); each view sublink is an InitPlan whose expressions are set up again at
-- every execution, ~40 µs per checkpoint. Compared as text there is nothing to
-- set up, and a row read costs ~0.2 µs more, which this table can afford: the
-- saver reads few checkpoint rows per statement (bench/ATTEMPTS.md, step 17).
-- Blobs are read by the hundred per statement and are written with ON CONFLICT
-- DO NOTHING, so they keep the view; so do writes (DO NOTHING, except for
-- LangGraph's special channels). Migration 0008 gives the planner statistics on
-- these text expressions.

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
    using (cast(threadguard_tenant_id as pg_catalog.text)
               operator(pg_catalog.=) pg_catalog.current_setting('app.tenant_id', true)
           and cast(threadguard_user_id as pg_catalog.text)
               operator(pg_catalog.=) pg_catalog.current_setting('app.user_id', true));
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
    using (cast(threadguard_tenant_id as pg_catalog.text)
               operator(pg_catalog.=) pg_catalog.current_setting('app.tenant_id', true)
           and cast(threadguard_user_id as pg_catalog.text)
               operator(pg_catalog.=) pg_catalog.current_setting('app.user_id', true))
    with check (threadguard.may_write_thread(thread_id, threadguard_tenant_id, threadguard_user_id));
comment on policy checkpoints_owner_update on public.checkpoints is
    'Only the owner updates a checkpoint (upserts, prune), and it cannot be moved into a thread the owner does not own.';

drop policy if exists checkpoints_owner_delete on public.checkpoints;
create policy checkpoints_owner_delete on public.checkpoints
    for delete
    using (cast(threadguard_tenant_id as pg_catalog.text)
               operator(pg_catalog.=) pg_catalog.current_setting('app.tenant_id', true)
           and cast(threadguard_user_id as pg_catalog.text)
               operator(pg_catalog.=) pg_catalog.current_setting('app.user_id', true));
comment on policy checkpoints_owner_delete on public.checkpoints is
    'Only the owner deletes a checkpoint (delete_thread, prune); other rows are silently out of reach.';
