-- Rollback of 0007 write claims. The write policies that call may_write_thread
-- go, and with them the write check and its counter (fail closed: nothing can be
-- written, and deleting a conversation fails in its purge trigger, until 0007
-- and the definitions are applied again). The activity trigger of 0006's
-- definitions is not recreated: migrating forward again restores a complete set.

do $$
declare
    v_table text;
begin
    foreach v_table in array array['checkpoints', 'checkpoint_blobs', 'checkpoint_writes'] loop
        execute format('drop policy if exists %I on public.%I', v_table || '_owner_insert', v_table);
        execute format('drop policy if exists %I on public.%I', v_table || '_owner_update', v_table);
    end loop;
end
$$;
drop function if exists threadguard.may_write_thread(text, uuid, uuid);
drop function if exists threadguard.claim_thread(text, uuid, uuid);
drop sequence threadguard.conversation_deletions;
