-- Rollback of 0006 thread text and statistics. The write policies that used the
-- text column go too (fail closed); rolling 0005 back removes the rest.

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
drop statistics public.checkpoints_owner_stats, public.checkpoint_blobs_owner_stats, public.checkpoint_writes_owner_stats;
alter table threadguard.conversations drop column thread_id;
