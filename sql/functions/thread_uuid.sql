-- threadguard.thread_uuid: a LangGraph thread_id (text) as the conversation id it names.
-- Only the canonical lower-case form counts: any other spelling would let one
-- conversation own rows under several thread_ids that deletes would miss.

create or replace function threadguard.thread_uuid(p_thread_id text)
returns uuid
language sql
immutable
strict
parallel safe
as $$
    select case
        when p_thread_id operator(pg_catalog.~) '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
        then cast(p_thread_id as pg_catalog.uuid)
    end
$$;

revoke all on function threadguard.thread_uuid(text) from public;
grant execute on function threadguard.thread_uuid(text) to threadguard_app, threadguard_admin, threadguard_operator;
comment on function threadguard.thread_uuid(text) is
    'The conversation id a thread_id names, or null when it is not a canonical lower-case uuid (such a thread belongs to nobody). Never raises, so another tenant''s odd thread_id cannot break your query.';
