-- Rollback of 0003 langgraph tables: never loses a checkpoint. Tables threadguard
-- created are dropped only while all three data tables are empty; otherwise every
-- table goes back to its previous owner (or to the role running the rollback).

revoke create on schema public from threadguard_app;

do $$
declare
    v_row record;
    v_empty boolean;
    v_owner name;
begin
    select bool_and(created_by_threadguard) into v_empty from threadguard.langgraph_tables;
    v_empty := coalesce(v_empty, false)
        and not exists (select 1 from public.checkpoints)
        and not exists (select 1 from public.checkpoint_blobs)
        and not exists (select 1 from public.checkpoint_writes);

    if v_empty then
        drop table public.checkpoint_writes, public.checkpoint_blobs, public.checkpoints, public.checkpoint_migrations;
    else
        for v_row in select * from threadguard.langgraph_tables loop
            v_owner := v_row.previous_owner;
            if v_owner is null or not exists (select 1 from pg_catalog.pg_roles where rolname = v_owner) then
                v_owner := session_user;
            end if;
            execute format('alter table public.%I owner to %I', v_row.table_name, v_owner);
            raise notice 'threadguard: public.% kept with its rows, owner is now %', v_row.table_name, v_owner;
        end loop;
    end if;
end
$$;

drop table threadguard.langgraph_tables;
