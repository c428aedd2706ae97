-- threadguard.purge_conversation_checkpoints: deleting a conversation deletes its
-- thread's checkpoints, blobs and writes (every namespace) in the same transaction,
-- whichever way the conversation was deleted. Its trigger is defined here too.
-- Before purging it advances threadguard.conversation_deletions (every session's
-- remembered write check is then stale) and takes the thread's advisory lock
-- exclusively, which waits for the writers that may_write_thread let through
-- (they hold it shared): the purge's own statements then see their rows.

create or replace function threadguard.purge_conversation_checkpoints()
returns trigger
language plpgsql
-- Invoker: it runs as the deleting role, under the same RLS (a superuser doing
-- maintenance purges every row of the thread).
set search_path = pg_catalog, pg_temp
-- One plan per statement for the session: a thread's rows are always found
-- through the thread_id indexes, and a custom plan (what PostgreSQL otherwise
-- keeps choosing here) costs more to make than the deletion itself.
set plan_cache_mode = force_generic_plan
as $$
declare
    v_thread_id text := cast(old.id as pg_catalog.text);
begin
    -- In this order: a writer that read the counter before it moved holds the
    -- lock already, so the lock below waits for it to finish.
    perform pg_catalog.nextval('threadguard.conversation_deletions'::pg_catalog.regclass);
    -- The same key as may_write_thread's (threadguard's lock class, the thread).
    perform pg_catalog.pg_advisory_xact_lock(1952540263, pg_catalog.hashtext(v_thread_id));
    -- Each statement takes a new snapshot (read committed): rows committed by the
    -- writers waited for above are seen and deleted.
    delete from public.checkpoint_writes where thread_id operator(pg_catalog.=) v_thread_id;
    delete from public.checkpoint_blobs where thread_id operator(pg_catalog.=) v_thread_id;
    delete from public.checkpoints where thread_id operator(pg_catalog.=) v_thread_id;
    return null;
end
$$;

revoke all on function threadguard.purge_conversation_checkpoints() from public;
comment on function threadguard.purge_conversation_checkpoints() is
    'Trigger function: after a conversation is deleted, invalidates every session''s remembered write check, waits for writes in flight to the thread, and deletes every checkpoint, blob and write of the thread. Runs as the deleting role, under the same RLS.';

create or replace trigger conversations_purge_checkpoints
    after delete on threadguard.conversations
    for each row execute function threadguard.purge_conversation_checkpoints();
comment on trigger conversations_purge_checkpoints on threadguard.conversations is
    'threadguard: a deleted conversation leaves no checkpoint, blob or write behind, including writes that were in flight.';
