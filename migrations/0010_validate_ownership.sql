-- 0010 validate ownership: checks the rows that existed before 0009 against its
-- foreign keys. Rows stamped with an owner that has no conversation of their
-- thread (left by a deletion that raced a write, or written under a forged write
-- claim, which 0009 made impossible) are deleted first, with a notice of how many.
-- VALIDATE takes SHARE UPDATE EXCLUSIVE on the checkpoint table (reads and writes
-- go on) and scans it once: about a second per million rows.
-- depends: 0009_ownership_constraint

do $$
declare
    v_table text;
    v_gone bigint;
begin
    foreach v_table in array array['checkpoint_writes', 'checkpoint_blobs', 'checkpoints'] loop
        execute pg_catalog.format(
            'delete from public.%I as k where k.threadguard_tenant_id is not null and k.threadguard_user_id is not null'
            ' and not exists (select from threadguard.conversations as c'
            ' where c.thread_id operator(pg_catalog.=) k.thread_id'
            ' and c.tenant_id operator(pg_catalog.=) k.threadguard_tenant_id'
            ' and c.user_id operator(pg_catalog.=) k.threadguard_user_id)', v_table);
        get diagnostics v_gone = row_count;
        if v_gone operator(pg_catalog.>) 0 then
            raise notice 'threadguard 0010: deleted % row(s) of public.% that no conversation owns', v_gone, v_table;
        end if;
        execute pg_catalog.format('alter table public.%I validate constraint %I', v_table, v_table || '_thread_owner_fkey');
    end loop;
end
$$;
