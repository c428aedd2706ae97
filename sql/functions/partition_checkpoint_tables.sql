-- threadguard.partition_checkpoint_tables: the optional partitioned layout (issue #24, docs/scale.md).
-- Rebuilds LangGraph's three checkpoint tables hash-partitioned by thread_id, every row kept, in the
-- caller's transaction: `threadguard partition --partitions N` calls it as the owner role and then
-- applies sql/ (grants, policies, RLS of the parents) in the same transaction. A partition is
-- reached only through its parent: it has RLS enabled and forced, no policy and no grant, so a
-- direct read of one sees nothing even if someone grants it (verify names any grant).

create or replace procedure threadguard.partition_checkpoint_tables(p_partitions integer)
language plpgsql
-- Invoker: run by the owner role (it owns the tables and the new ones), never by the application.
set search_path = pg_catalog, pg_temp
as $$
declare
    v_table text;
    v_old text;
    v_kind "char";
    v_count integer;
    v_rows bigint;
    v_copied bigint;
    v_index record;
    v_rebuild text[];
    v_statement text;
begin
    if p_partitions is null or p_partitions operator(pg_catalog.<) 2 or p_partitions operator(pg_catalog.>) 1024 then
        raise exception 'threadguard: the number of partitions must be between 2 and 1024 (got %)', p_partitions
            using errcode = '22023';
    end if;
    foreach v_table in array array['checkpoints', 'checkpoint_blobs', 'checkpoint_writes'] loop
        select c.relkind into v_kind from pg_catalog.pg_class as c
         where c.oid operator(pg_catalog.=) pg_catalog.to_regclass('public.' operator(pg_catalog.||) v_table);
        if v_kind is null then
            raise exception 'threadguard: public.% does not exist', v_table
                using errcode = '42P01', hint = 'Run `threadguard migrate` first.';
        end if;
        if v_kind operator(pg_catalog.=) 'p' then
            select pg_catalog.count(*) into v_count from pg_catalog.pg_inherits as i
             where i.inhparent operator(pg_catalog.=) pg_catalog.to_regclass('public.' operator(pg_catalog.||) v_table);
            if v_count operator(pg_catalog.<>) p_partitions then
                raise exception 'threadguard: public.% is already hash-partitioned in % partitions, not % (changing the number is not supported)',
                    v_table, v_count, p_partitions using errcode = '22023';
            end if;
            continue;  -- already done (a second run changes nothing)
        end if;
        v_old := v_table operator(pg_catalog.||) '_tg_unpartitioned';
        execute pg_catalog.format('lock table public.%I in access exclusive mode', v_table);
        -- What LIKE does not copy (or would name otherwise), read while the names still point at the old table.
        v_rebuild := array(
            select pg_catalog.format('alter table public.%I add constraint %I %s', v_table, k.conname, pg_catalog.pg_get_constraintdef(k.oid))
              from pg_catalog.pg_constraint as k
             where k.conrelid operator(pg_catalog.=) pg_catalog.to_regclass('public.' operator(pg_catalog.||) v_table)
               and k.contype operator(pg_catalog.=) 'f'
             order by k.conname)
          operator(pg_catalog.||) array(
            select pg_catalog.pg_get_triggerdef(t.oid) from pg_catalog.pg_trigger as t
             where t.tgrelid operator(pg_catalog.=) pg_catalog.to_regclass('public.' operator(pg_catalog.||) v_table)
               and not t.tgisinternal
             order by t.tgname)
          operator(pg_catalog.||) array(
            select pg_catalog.pg_get_statisticsobjdef(s.oid) from pg_catalog.pg_statistic_ext as s
             where s.stxrelid operator(pg_catalog.=) pg_catalog.to_regclass('public.' operator(pg_catalog.||) v_table)
             order by s.stxname);
        -- Free the names: the old table and its indexes step aside, the new ones take them.
        execute pg_catalog.format('alter table public.%I rename to %I', v_table, v_old);
        for v_index in
            select x.relname::text as name from pg_catalog.pg_index as i join pg_catalog.pg_class as x on x.oid operator(pg_catalog.=) i.indexrelid
             where i.indrelid operator(pg_catalog.=) pg_catalog.to_regclass('public.' operator(pg_catalog.||) v_old)
        loop
            execute pg_catalog.format('alter index public.%I rename to %I', v_index.name,
                                      pg_catalog.left(v_index.name, 50) operator(pg_catalog.||) '_tg_old');
        end loop;
        execute pg_catalog.format('create table public.%I (like public.%I including all excluding statistics) partition by hash (thread_id)', v_table, v_old);
        for v_count in 0 .. p_partitions operator(pg_catalog.-) 1 loop
            execute pg_catalog.format('create table public.%I partition of public.%I for values with (modulus %s, remainder %s)',
                                      v_table operator(pg_catalog.||) '_p' operator(pg_catalog.||) v_count, v_table, p_partitions, v_count);
            execute pg_catalog.format('alter table public.%I enable row level security', v_table operator(pg_catalog.||) '_p' operator(pg_catalog.||) v_count);
            execute pg_catalog.format('alter table public.%I force row level security', v_table operator(pg_catalog.||) '_p' operator(pg_catalog.||) v_count);
            execute pg_catalog.format('comment on table public.%I is %L', v_table operator(pg_catalog.||) '_p' operator(pg_catalog.||) v_count,
                pg_catalog.format('Hash partition %s of %s of public.%s (by thread_id): reached only through public.%s, whose grants and policies apply; RLS forced, no policy, no grant.',
                                  v_count, p_partitions, v_table, v_table));
        end loop;
        -- Every row, as they are: the owner reads the old table without its forced policies (nothing
        -- else can reach it under the lock), and the new one has no trigger yet to restamp them.
        execute pg_catalog.format('alter table public.%I no force row level security', v_old);
        execute pg_catalog.format('select pg_catalog.count(*) from public.%I', v_old) into v_rows;
        execute pg_catalog.format('insert into public.%I select * from public.%I', v_table, v_old);
        get diagnostics v_copied = row_count;
        if v_copied operator(pg_catalog.<>) v_rows then
            raise exception 'threadguard: copied % of % rows of public.%', v_copied, v_rows, v_table;
        end if;
        execute pg_catalog.format('comment on table public.%I is %L', v_table,
                                  pg_catalog.obj_description(pg_catalog.to_regclass('public.' operator(pg_catalog.||) v_old), 'pg_class'));
        execute pg_catalog.format('drop table public.%I', v_old);
        -- Its ownership key, triggers and statistics, by their names (free now).
        foreach v_statement in array v_rebuild loop
            execute v_statement;
        end loop;
        raise notice 'threadguard: public.% hash-partitioned in % partitions, % rows', v_table, p_partitions, v_rows;
    end loop;
end
$$;

revoke all on procedure threadguard.partition_checkpoint_tables(integer) from public;
comment on procedure threadguard.partition_checkpoint_tables(integer) is
    'Rebuilds public.checkpoints, checkpoint_blobs and checkpoint_writes hash-partitioned by thread_id into p_partitions partitions (2 to 1024), every row kept, in the caller''s transaction; does nothing to a table already partitioned so. Partitions: RLS forced, no policy, no grant. Run by `threadguard partition` as the owner role, which then applies sql/ in the same transaction.';
