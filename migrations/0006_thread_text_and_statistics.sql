-- 0006 thread text and statistics: what the benchmarks showed the planner needs.
-- conversations.thread_id is the id in LangGraph's text form, stored and unique, so
-- that write policies check ownership with a plain text equality (leakproof, so
-- usable as an index condition under RLS) planned once with the statement,
-- instead of calling threadguard.owns_thread, a SQL function re-planned per row.
-- The dependency statistics tell the planner that a thread's rows all have the
-- same owner, so the owner filter does not make it abandon the primary-key scans.
-- depends: 0005_checkpoint_owner_columns

-- The policies that called owns_thread go first; sql/policies recreates them
-- right after this migration (until then no checkpoint can be written: fail closed).
-- On a fresh install neither exists yet: definitions come after all migrations.
drop policy if exists checkpoints_owner_insert on public.checkpoints;
drop policy if exists checkpoints_owner_update on public.checkpoints;
drop policy if exists checkpoint_blobs_owner_insert on public.checkpoint_blobs;
drop policy if exists checkpoint_blobs_owner_update on public.checkpoint_blobs;
drop policy if exists checkpoint_writes_owner_insert on public.checkpoint_writes;
drop policy if exists checkpoint_writes_owner_update on public.checkpoint_writes;
drop function if exists threadguard.owns_thread(text);

set local role threadguard_owner;

alter table threadguard.conversations
    add column thread_id text generated always as (cast(id as text)) stored;
create unique index conversations_thread_id_key on threadguard.conversations (thread_id);
comment on column threadguard.conversations.thread_id is
    'The id as LangGraph''s text thread_id (canonical lower-case form); what checkpoint rows refer to.';
comment on index threadguard.conversations_thread_id_key is
    'Ownership checks on writes: the conversation of a checkpoint row''s thread_id.';

reset role;

-- Statistics objects live in a schema: public, where only the migrating role may create.
create statistics public.checkpoints_owner_stats (dependencies)
    on thread_id, threadguard_tenant_id, threadguard_user_id from public.checkpoints;
create statistics public.checkpoint_blobs_owner_stats (dependencies)
    on thread_id, threadguard_tenant_id, threadguard_user_id from public.checkpoint_blobs;
create statistics public.checkpoint_writes_owner_stats (dependencies)
    on thread_id, threadguard_tenant_id, threadguard_user_id from public.checkpoint_writes;
comment on statistics public.checkpoints_owner_stats is
    'threadguard: a thread''s rows share one owner; keeps RLS from skewing the planner''s row estimates.';
comment on statistics public.checkpoint_blobs_owner_stats is
    'threadguard: a thread''s rows share one owner; keeps RLS from skewing the planner''s row estimates.';
comment on statistics public.checkpoint_writes_owner_stats is
    'threadguard: a thread''s rows share one owner; keeps RLS from skewing the planner''s row estimates.';
alter statistics public.checkpoints_owner_stats owner to threadguard_owner;
alter statistics public.checkpoint_blobs_owner_stats owner to threadguard_owner;
alter statistics public.checkpoint_writes_owner_stats owner to threadguard_owner;
analyze public.checkpoints, public.checkpoint_blobs, public.checkpoint_writes;
