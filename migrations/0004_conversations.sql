-- 0004 conversations: one row per LangGraph thread, the source of truth for
-- who owns it. Row-level security, grants and column defaults that read the
-- tenant context live in sql/policies/conversations.sql.
-- depends: 0003_langgraph_tables

-- Everything below is created as, and owned by, threadguard_owner.
set local role threadguard_owner;

create table threadguard.conversations (
    id uuid primary key default pg_catalog.gen_random_uuid(),
    tenant_id uuid not null,
    user_id uuid not null,
    title text,
    created_at timestamptz not null default pg_catalog.now(),
    updated_at timestamptz not null default pg_catalog.now(),
    constraint conversations_title_length check (pg_catalog.char_length(title) between 1 and 200)
);

-- list_conversations: one user's conversations, most recently active first,
-- keyset-paginated on (updated_at, id).
create index conversations_owner_activity_idx
    on threadguard.conversations (tenant_id, user_id, updated_at desc, id desc);

comment on table threadguard.conversations is
    'One row per LangGraph thread: who owns it. A thread''s checkpoints are visible and writable only by the tenant and user of its conversation.';
comment on column threadguard.conversations.id is
    'The LangGraph thread_id, as a uuid. Checkpoint rows refer to it by its canonical lower-case text form.';
comment on column threadguard.conversations.tenant_id is 'Owning tenant; set from app.tenant_id, never changes.';
comment on column threadguard.conversations.user_id is 'Owning user within the tenant; set from app.user_id, never changes.';
comment on column threadguard.conversations.title is 'Optional display title, 1 to 200 characters.';
comment on column threadguard.conversations.created_at is 'When the conversation was created.';
comment on column threadguard.conversations.updated_at is
    'Last activity: creation, or the last checkpoint LangGraph wrote to the thread (maintained by a trigger on public.checkpoints).';
comment on constraint conversations_title_length on threadguard.conversations is
    'Titles are 1 to 200 characters, or null.';
comment on index threadguard.conversations_owner_activity_idx is
    'Serves list_conversations: one owner''s conversations by last activity, keyset-paginated.';
