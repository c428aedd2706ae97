-- Protection of public.store (LangGraph's Store: each user's long-term memories).
-- An item belongs to the namespace it is in: (tenant_id, user_id, ...) is that user's,
-- (tenant_id, 'shared', ...) is shared by every user of that tenant; anything else is
-- nobody's. Every policy compares the prefix with threadguard.store_space, so no
-- identity can write, and so collide with, a key in a namespace that is not its own.

alter table public.store enable row level security;
alter table public.store force row level security;

-- Exactly what PostgresStore needs: no TRUNCATE (it ignores RLS), REFERENCES or TRIGGER.
revoke all on table public.store from public, threadguard_app, threadguard_admin, threadguard_operator;
grant select, insert, update, delete on table public.store to threadguard_app;

drop policy if exists store_owner_select on public.store;
create policy store_owner_select on public.store
    for select
    using (((prefix collate "C") >= (select s.own_from from threadguard.store_space as s)
            and (prefix collate "C") < (select s.own_to from threadguard.store_space as s))
        or ((prefix collate "C") >= (select s.shared_from from threadguard.store_space as s)
            and (prefix collate "C") < (select s.shared_to from threadguard.store_space as s)));
comment on policy store_owner_select on public.store is
    'An item is visible only in the caller''s own namespaces (tenant_id, user_id, ...) and in its tenant''s shared ones (tenant_id, ''shared'', ...); nothing without a valid context.';

drop policy if exists store_owner_insert on public.store;
create policy store_owner_insert on public.store
    for insert
    with check (((prefix collate "C") >= (select s.own_from from threadguard.store_space as s)
                 and (prefix collate "C") < (select s.own_to from threadguard.store_space as s))
             or ((prefix collate "C") >= (select s.shared_from from threadguard.store_space as s)
                 and (prefix collate "C") < (select s.shared_to from threadguard.store_space as s)));
comment on policy store_owner_insert on public.store is
    'An item is written only into the caller''s own namespaces or its tenant''s shared ones; checked before any conflict, so a key elsewhere is never met, overwritten or revealed.';

drop policy if exists store_owner_update on public.store;
create policy store_owner_update on public.store
    for update
    using (((prefix collate "C") >= (select s.own_from from threadguard.store_space as s)
            and (prefix collate "C") < (select s.own_to from threadguard.store_space as s))
        or ((prefix collate "C") >= (select s.shared_from from threadguard.store_space as s)
            and (prefix collate "C") < (select s.shared_to from threadguard.store_space as s)))
    with check (((prefix collate "C") >= (select s.own_from from threadguard.store_space as s)
                 and (prefix collate "C") < (select s.own_to from threadguard.store_space as s))
             or ((prefix collate "C") >= (select s.shared_from from threadguard.store_space as s)
                 and (prefix collate "C") < (select s.shared_to from threadguard.store_space as s)));
comment on policy store_owner_update on public.store is
    'Only items in the caller''s namespaces are updated (upserts, TTL refresh), and they stay there.';

drop policy if exists store_owner_delete on public.store;
create policy store_owner_delete on public.store
    for delete
    using (((prefix collate "C") >= (select s.own_from from threadguard.store_space as s)
            and (prefix collate "C") < (select s.own_to from threadguard.store_space as s))
        or ((prefix collate "C") >= (select s.shared_from from threadguard.store_space as s)
            and (prefix collate "C") < (select s.shared_to from threadguard.store_space as s)));
comment on policy store_owner_delete on public.store is
    'Only items in the caller''s namespaces are deleted (delete, put of None, the application''s own TTL sweeper); other rows are silently out of reach.';

-- The operator functions sweep expired items, erase, export and assign (threadguard_operator has no members).
grant select, update, delete on table public.store to threadguard_operator;

drop policy if exists store_operator_select on public.store;
create policy store_operator_select on public.store
    for select to threadguard_operator
    using (true);
comment on policy store_operator_select on public.store is
    'The operator functions read every tenant''s items (export, erasure proof, sweep); threadguard_operator has no members.';

drop policy if exists store_operator_update on public.store;
create policy store_operator_update on public.store
    for update to threadguard_operator
    using (true);
comment on policy store_operator_update on public.store is
    'threadguard.assign_store_items moves items from before adoption into an owner''s namespace; threadguard_operator has no members.';

drop policy if exists store_operator_delete on public.store;
create policy store_operator_delete on public.store
    for delete to threadguard_operator
    using (true);
comment on policy store_operator_delete on public.store is
    'The TTL sweep and erasure delete every tenant''s items (threadguard.sweep_store, threadguard.erase); threadguard_operator has no members.';
