-- 0020 conversation metadata: each conversation carries a small JSON object of the
-- application's own (project, labels, ...), so that search_conversations can filter a
-- user's conversations by it without touching LangGraph's checkpoints. It decides
-- nothing about access: ownership stays in tenant_id/user_id.
-- depends: 0019_audit_outlives_rollback

set local role threadguard_owner;
alter table threadguard.conversations
    add column metadata jsonb not null default '{}'::jsonb,
    add constraint conversations_metadata_object
        check (pg_catalog.jsonb_typeof(metadata) operator(pg_catalog.=) 'object'
               and pg_catalog.octet_length(metadata::text) operator(pg_catalog.<=) 8192) not valid;
-- NOT VALID: every existing row has just got the default '{}', which holds; validating
-- would only scan the table under this statement's ACCESS EXCLUSIVE lock.
comment on column threadguard.conversations.metadata is
    'The application''s own labels for the conversation (a JSON object, at most 8 kB as text), searched by threadguard.search_conversations; never used for access decisions.';
comment on constraint conversations_metadata_object on threadguard.conversations is
    'metadata is a JSON object of at most 8 kB (as text): labels, not content.';
reset role;
