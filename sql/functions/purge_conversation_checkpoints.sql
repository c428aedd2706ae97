-- threadguard.purge_conversation_checkpoints: deleting a conversation deletes its
-- thread's checkpoints, blobs and writes (every namespace) in the same transaction,
-- whichever way the conversation was deleted. Its trigger is defined here too.

create or replace function threadguard.purge_conversation_checkpoints()
returns trigger
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
declare
    v_thread_id text := cast(old.id as pg_catalog.text);
begin
    delete from public.checkpoint_writes where thread_id operator(pg_catalog.=) v_thread_id;
    delete from public.checkpoint_blobs where thread_id operator(pg_catalog.=) v_thread_id;
    delete from public.checkpoints where thread_id operator(pg_catalog.=) v_thread_id;
    return null;
end
$$;

revoke all on function threadguard.purge_conversation_checkpoints() from public;
comment on function threadguard.purge_conversation_checkpoints() is
    'Trigger function: after a conversation is deleted, deletes every checkpoint, blob and write of its thread. Runs as the deleting role, under the same RLS.';

create or replace trigger conversations_purge_checkpoints
    after delete on threadguard.conversations
    for each row execute function threadguard.purge_conversation_checkpoints();
comment on trigger conversations_purge_checkpoints on threadguard.conversations is
    'threadguard: a deleted conversation leaves no checkpoint, blob or write behind.';
