-- Protection of public.checkpoints (LangGraph's checkpoints: each thread's state history, with inline channel values).
-- Every policy compares the owner stamped on the row with the transaction's context
-- (threadguard.context, one InitPlan per statement); which thread a row may be in is
-- the foreign key checkpoints_thread_owner_fkey's (migration 0009), not a policy's.

alter table public.checkpoints enable row level security;
alter table public.checkpoints force row level security;

alter table public.checkpoints
    alter column threadguard_tenant_id set default threadguard.current_tenant_id(),
    alter column threadguard_user_id set default threadguard.current_user_id();

-- Exactly what LangGraph's saver needs: no TRUNCATE (it ignores RLS), REFERENCES or TRIGGER.
revoke all on table public.checkpoints from public, threadguard_app, threadguard_admin, threadguard_operator;
grant select, insert, update, delete on table public.checkpoints to threadguard_app;

drop policy if exists checkpoints_owner_select on public.checkpoints;
create policy checkpoints_owner_select on public.checkpoints
    for select
    using ((threadguard_tenant_id, threadguard_user_id)
           = (select c.tenant_id, c.user_id from threadguard.context as c));
comment on policy checkpoints_owner_select on public.checkpoints is
    'A checkpoint is visible only to the tenant and user that wrote it; rows from before adoption (no owner) and every row without a valid context are invisible.';

drop policy if exists checkpoints_owner_insert on public.checkpoints;
create policy checkpoints_owner_insert on public.checkpoints
    for insert
    with check ((threadguard_tenant_id, threadguard_user_id)
                = (select c.tenant_id, c.user_id from threadguard.context as c));
comment on policy checkpoints_owner_insert on public.checkpoints is
    'A checkpoint is written stamped with the current tenant and user, and (by checkpoints_thread_owner_fkey) only into a thread whose conversation is theirs.';

drop policy if exists checkpoints_owner_update on public.checkpoints;
create policy checkpoints_owner_update on public.checkpoints
    for update
    using ((threadguard_tenant_id, threadguard_user_id)
           = (select c.tenant_id, c.user_id from threadguard.context as c))
    with check ((threadguard_tenant_id, threadguard_user_id)
                = (select c.tenant_id, c.user_id from threadguard.context as c));
comment on policy checkpoints_owner_update on public.checkpoints is
    'Only the owner updates a checkpoint (upserts, prune), and it stays theirs; the foreign key keeps it in a thread of theirs.';

drop policy if exists checkpoints_owner_delete on public.checkpoints;
create policy checkpoints_owner_delete on public.checkpoints
    for delete
    using ((threadguard_tenant_id, threadguard_user_id)
           = (select c.tenant_id, c.user_id from threadguard.context as c));
comment on policy checkpoints_owner_delete on public.checkpoints is
    'Only the owner deletes a checkpoint (delete_thread, prune); other rows are silently out of reach.';

-- The operator functions count what an erasure left and apply retention
-- (threadguard_operator has no members).
grant select, delete on table public.checkpoints to threadguard_operator;

drop policy if exists checkpoints_operator_select on public.checkpoints;
create policy checkpoints_operator_select on public.checkpoints
    for select to threadguard_operator
    using (true);
comment on policy checkpoints_operator_select on public.checkpoints is
    'The operator functions read every tenant''s rows (to prove an erasure complete); threadguard_operator has no members.';

drop policy if exists checkpoints_operator_delete on public.checkpoints;
create policy checkpoints_operator_delete on public.checkpoints
    for delete to threadguard_operator
    using (true);
comment on policy checkpoints_operator_delete on public.checkpoints is
    'Retention deletes every tenant''s old rows (threadguard.apply_retention); threadguard_operator has no members.';

-- Adoption (threadguard.assign_thread) stamps the rows nobody owns yet, and only those.
grant update (threadguard_tenant_id, threadguard_user_id) on table public.checkpoints to threadguard_operator;

drop policy if exists checkpoints_operator_update on public.checkpoints;
create policy checkpoints_operator_update on public.checkpoints
    for update to threadguard_operator
    using (threadguard_tenant_id is null)
    with check (threadguard_tenant_id is not null and threadguard_user_id is not null);
comment on policy checkpoints_operator_update on public.checkpoints is
    'Adoption gives a row nobody owns its owner (threadguard.assign_thread); no owned row is ever changed this way.';
