-- Protection of threadguard.conversations: a conversation is visible and writable
-- only by its own tenant and user, is created for the current context only,
-- and can never move to another owner. The context is read by one row sublink on
-- threadguard.context per policy: one InitPlan per statement (bench/ATTEMPTS.md).

alter table threadguard.conversations enable row level security;
alter table threadguard.conversations force row level security;

alter table threadguard.conversations
    alter column tenant_id set default threadguard.current_tenant_id(),
    alter column user_id set default threadguard.current_user_id();

revoke all on table threadguard.conversations from public, threadguard_app, threadguard_admin, threadguard_operator;
grant select, delete on table threadguard.conversations to threadguard_app;
-- No UPDATE of the owner or of updated_at (the database maintains it).
grant insert (id, tenant_id, user_id, title), update (title) on table threadguard.conversations to threadguard_app;

drop policy if exists conversations_owner_select on threadguard.conversations;
create policy conversations_owner_select on threadguard.conversations
    for select
    using ((tenant_id, user_id) = (select tenant_id, user_id from threadguard.context));
comment on policy conversations_owner_select on threadguard.conversations is
    'A conversation is visible only to its own tenant and user; nothing is visible without a valid context.';

drop policy if exists conversations_owner_insert on threadguard.conversations;
create policy conversations_owner_insert on threadguard.conversations
    for insert
    with check ((tenant_id, user_id) = (select tenant_id, user_id from threadguard.context));
comment on policy conversations_owner_insert on threadguard.conversations is
    'A conversation can be created only for the current tenant and user.';

drop policy if exists conversations_owner_update on threadguard.conversations;
create policy conversations_owner_update on threadguard.conversations
    for update
    using ((tenant_id, user_id) = (select tenant_id, user_id from threadguard.context))
    with check ((tenant_id, user_id) = (select tenant_id, user_id from threadguard.context));
comment on policy conversations_owner_update on threadguard.conversations is
    'Only the owner updates a conversation, and it stays theirs: an update cannot move it to another tenant or user.';

drop policy if exists conversations_owner_delete on threadguard.conversations;
create policy conversations_owner_delete on threadguard.conversations
    for delete
    using ((tenant_id, user_id) = (select tenant_id, user_id from threadguard.context));
comment on policy conversations_owner_delete on threadguard.conversations is
    'Only the owner deletes a conversation (its checkpoints go with it, by the ownership foreign keys).';

-- Operations across tenants: only threadguard_operator, which has no members and is
-- reached only through its audited functions (sql/functions/erase.sql, ...).
grant select, delete on table threadguard.conversations to threadguard_operator;
grant insert (id, tenant_id, user_id, title) on table threadguard.conversations to threadguard_operator;

drop policy if exists conversations_operator_select on threadguard.conversations;
create policy conversations_operator_select on threadguard.conversations
    for select to threadguard_operator
    using (true);
comment on policy conversations_operator_select on threadguard.conversations is
    'The operator functions see every tenant''s conversations (threadguard_operator has no members; its functions audit every use).';

drop policy if exists conversations_operator_delete on threadguard.conversations;
create policy conversations_operator_delete on threadguard.conversations
    for delete to threadguard_operator
    using (true);
comment on policy conversations_operator_delete on threadguard.conversations is
    'The operator functions delete any tenant''s conversations (erasure, retention); the ownership keys take their checkpoints along.';

drop policy if exists conversations_operator_insert on threadguard.conversations;
create policy conversations_operator_insert on threadguard.conversations
    for insert to threadguard_operator
    with check (true);
comment on policy conversations_operator_insert on threadguard.conversations is
    'Adoption (threadguard.assign_thread) creates the conversation of a thread LangGraph wrote before threadguard, for the owner the DBA names.';
