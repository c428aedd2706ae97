-- Rollback of 0009 ownership constraint: the foreign keys and the definitions of
-- the new design go, and the write policies with them (fail closed: nothing can be
-- written until 0009 and the definitions are applied again). The write claims are
-- not recreated; the deletion counter is, empty, for 0007's rollback to drop.

do $$
declare
    v_table text;
begin
    foreach v_table in array array['checkpoints', 'checkpoint_blobs', 'checkpoint_writes'] loop
        execute pg_catalog.format('drop policy if exists %I on public.%I', v_table || '_owner_insert', v_table);
        execute pg_catalog.format('drop policy if exists %I on public.%I', v_table || '_owner_update', v_table);
        execute pg_catalog.format('alter table public.%I drop constraint %I', v_table, v_table || '_thread_owner_fkey');
    end loop;
end
$$;
drop trigger if exists checkpoints_touch_conversation on public.checkpoints;
drop function if exists threadguard.touch_conversation();

set local role threadguard_owner;
create unique index conversations_thread_id_key on threadguard.conversations (thread_id);
comment on index threadguard.conversations_thread_id_key is
    'Ownership checks on writes: the conversation of a checkpoint row''s thread_id.';
drop index threadguard.conversations_thread_owner_key;
create sequence threadguard.conversation_deletions as bigint;
revoke all on sequence threadguard.conversation_deletions from public;
grant select, usage on sequence threadguard.conversation_deletions to threadguard_app;
reset role;
