-- Rollback of 0017 store: never loses an item. A store threadguard created is dropped
-- only while it is empty; otherwise both tables go back to their previous owner (or to
-- the role running the rollback) without threadguard's policies and index. The functions that
-- use the store are definitions and go with it.

drop function if exists threadguard.sweep_store(integer);
drop function if exists threadguard.export_store_items(uuid, uuid, text);
drop function if exists threadguard.assign_store_items(text, uuid, uuid, text);
drop function if exists threadguard.store_range(uuid, uuid);
drop function if exists threadguard.erasure_left(uuid, uuid, text);
drop function if exists threadguard.erase(uuid, uuid, text, integer);

do $$
declare
    v_row record;
    v_owner name;
    v_policy name;
begin
    if (select pg_catalog.bool_and(t.created_by_threadguard) from threadguard.langgraph_tables as t
         where t.table_name in ('store', 'store_migrations'))
       and not exists (select 1 from public.store) then
        drop table public.store, public.store_migrations;
    else
        for v_policy in select p.polname from pg_catalog.pg_policy as p where p.polrelid = 'public.store'::pg_catalog.regclass loop
            execute pg_catalog.format('drop policy %I on public.store', v_policy);
        end loop;
        drop index if exists public.store_owner_idx;
        alter table public.store no force row level security;
        alter table public.store disable row level security;
        for v_row in select * from threadguard.langgraph_tables as t where t.table_name in ('store', 'store_migrations') loop
            v_owner := v_row.previous_owner;
            if v_owner is null or not exists (select 1 from pg_catalog.pg_roles as r where r.rolname = v_owner) then
                v_owner := session_user;
            end if;
            execute pg_catalog.format('alter table public.%I owner to %I', v_row.table_name, v_owner);
            raise notice 'threadguard: public.% kept with its rows, owner is now %', v_row.table_name, v_owner;
        end loop;
    end if;
end
$$;

delete from threadguard.langgraph_tables where table_name in ('store', 'store_migrations');
