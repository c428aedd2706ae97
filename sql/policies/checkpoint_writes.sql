-- Protection of public.checkpoint_writes (LangGraph's pending writes, which get_tuple hands back as if the graph had produced them).
-- Every policy compares the owner stamped on the row with the transaction's context
-- (threadguard.context, one InitPlan per statement); which thread a row may be in is
-- the foreign key checkpoint_writes_thread_owner_fkey's (migration 0009), not a policy's.

alter table public.checkpoint_writes enable row level security;
alter table public.checkpoint_writes force row level security;

alter table public.checkpoint_writes
    alter column threadguard_tenant_id set default threadguard.current_tenant_id(),
    alter column threadguard_user_id set default threadguard.current_user_id();

-- Exactly what LangGraph's saver needs: no TRUNCATE (it ignores RLS), REFERENCES or TRIGGER.
revoke all on table public.checkpoint_writes from public, threadguard_app, threadguard_admin, threadguard_operator;
grant select, insert, update, delete on table public.checkpoint_writes to threadguard_app;

drop policy if exists checkpoint_writes_owner_select on public.checkpoint_writes;
create policy checkpoint_writes_owner_select on public.checkpoint_writes
    for select
    using ((threadguard_tenant_id, threadguard_user_id)
           = (select c.tenant_id, c.user_id from threadguard.context as c));
comment on policy checkpoint_writes_owner_select on public.checkpoint_writes is
    'A pending write is visible only to the tenant and user that wrote it; rows from before adoption (no owner) and every row without a valid context are invisible.';

drop policy if exists checkpoint_writes_owner_insert on public.checkpoint_writes;
create policy checkpoint_writes_owner_insert on public.checkpoint_writes
    for insert
    with check ((threadguard_tenant_id, threadguard_user_id)
                = (select c.tenant_id, c.user_id from threadguard.context as c));
comment on policy checkpoint_writes_owner_insert on public.checkpoint_writes is
    'A pending write is written stamped with the current tenant and user, and (by checkpoint_writes_thread_owner_fkey) only into a thread whose conversation is theirs.';

drop policy if exists checkpoint_writes_owner_update on public.checkpoint_writes;
create policy checkpoint_writes_owner_update on public.checkpoint_writes
    for update
    using ((threadguard_tenant_id, threadguard_user_id)
           = (select c.tenant_id, c.user_id from threadguard.context as c))
    with check ((threadguard_tenant_id, threadguard_user_id)
                = (select c.tenant_id, c.user_id from threadguard.context as c));
comment on policy checkpoint_writes_owner_update on public.checkpoint_writes is
    'Only the owner updates a pending write (upserts, prune), and it stays theirs; the foreign key keeps it in a thread of theirs.';

drop policy if exists checkpoint_writes_owner_delete on public.checkpoint_writes;
create policy checkpoint_writes_owner_delete on public.checkpoint_writes
    for delete
    using ((threadguard_tenant_id, threadguard_user_id)
           = (select c.tenant_id, c.user_id from threadguard.context as c));
comment on policy checkpoint_writes_owner_delete on public.checkpoint_writes is
    'Only the owner deletes a pending write (delete_thread, prune); other rows are silently out of reach.';

-- The operator functions count what an erasure left and apply retention
-- (threadguard_operator has no members).
grant select, delete on table public.checkpoint_writes to threadguard_operator;

drop policy if exists checkpoint_writes_operator_select on public.checkpoint_writes;
create policy checkpoint_writes_operator_select on public.checkpoint_writes
    for select to threadguard_operator
    using (true);
comment on policy checkpoint_writes_operator_select on public.checkpoint_writes is
    'The operator functions read every tenant''s rows (to prove an erasure complete); threadguard_operator has no members.';

drop policy if exists checkpoint_writes_operator_delete on public.checkpoint_writes;
create policy checkpoint_writes_operator_delete on public.checkpoint_writes
    for delete to threadguard_operator
    using (true);
comment on policy checkpoint_writes_operator_delete on public.checkpoint_writes is
    'Retention deletes every tenant''s old rows (threadguard.apply_retention); threadguard_operator has no members.';

-- Adoption (threadguard.assign_thread) stamps the rows nobody owns yet, and only those.
grant update (threadguard_tenant_id, threadguard_user_id) on table public.checkpoint_writes to threadguard_operator;

drop policy if exists checkpoint_writes_operator_update on public.checkpoint_writes;
create policy checkpoint_writes_operator_update on public.checkpoint_writes
    for update to threadguard_operator
    using (threadguard_tenant_id is null)
    with check (threadguard_tenant_id is not null and threadguard_user_id is not null);
comment on policy checkpoint_writes_operator_update on public.checkpoint_writes is
    'Adoption gives a row nobody owns its owner (threadguard.assign_thread); no owned row is ever changed this way.';
