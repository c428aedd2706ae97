-- threadguard.apply_retention: applies the retention policies to one batch of
-- conversations (in id order, after p_after): deletes those idle past their tenant's
-- idle_days, and prunes the others' root namespace to their latest keep_checkpoints
-- checkpoints with the writes of those and every blob one of them references, so
-- LangGraph resumes each thread where it was. Subgraph namespaces are left alone.
-- Returns where the next batch starts (null: done) and what it removed; audited.

reset role;  -- created as the migrating administrator, then given to threadguard_operator
create or replace function threadguard.apply_retention(p_batch integer default 500, p_after uuid default null, p_dry_run boolean default false)
returns table (next_after uuid, scanned bigint, conversations bigint, checkpoints bigint, checkpoint_blobs bigint, checkpoint_writes bigint)
language plpgsql
-- Definer: runs as threadguard_operator, whose policies reach every tenant.
security definer
set search_path = pg_catalog, pg_temp
as $$
#variable_conflict use_variable
declare
    v_nil constant uuid := '00000000-0000-0000-0000-000000000000'::pg_catalog.uuid;
    v_ids uuid[];
    v_idle uuid[];
    v_idle_threads text[];
    v_thread text;
    v_keep integer;
    v_doomed text[];
    v_blobs tid[];
    v_writes tid[];
begin
    if p_batch is null or p_batch not between 1 and 10000 then
        raise exception 'threadguard: p_batch must be between 1 and 10000 (got %)', coalesce(p_batch::text, 'null')
            using errcode = 'invalid_parameter_value';
    end if;
    conversations := 0::bigint; checkpoints := 0::bigint; checkpoint_blobs := 0::bigint; checkpoint_writes := 0::bigint;
    select pg_catalog.array_agg(b.id order by b.id), pg_catalog.max(b.id::text)::pg_catalog.uuid into v_ids, next_after
      from (select c.id from threadguard.conversations as c
             where c.id operator(pg_catalog.>) coalesce(p_after, v_nil) order by c.id limit p_batch) as b;
    scanned := pg_catalog.cardinality(coalesce(v_ids, array[]::uuid[]))::bigint;
    if scanned operator(pg_catalog.=) 0 then
        return next;
        return;
    end if;

    -- Idle conversations: the tenant's own policy when it has one, else the default.
    select pg_catalog.array_agg(c.id), pg_catalog.array_agg(c.thread_id) into v_idle, v_idle_threads
      from threadguard.conversations as c
      left join threadguard.retention_policies as t on t.tenant_id operator(pg_catalog.=) c.tenant_id
      left join threadguard.retention_policies as d on d.tenant_id operator(pg_catalog.=) v_nil
     where c.id operator(pg_catalog.=) any (v_ids)
       and (case when t.tenant_id is not null then t.idle_days else d.idle_days end) is not null
       and c.updated_at operator(pg_catalog.<) (pg_catalog.now() operator(pg_catalog.-)
           pg_catalog.make_interval(days => case when t.tenant_id is not null then t.idle_days else d.idle_days end));
    if v_idle is not null then
        conversations := pg_catalog.cardinality(v_idle)::bigint;
        select pg_catalog.count(*) into checkpoints from public.checkpoints as r where r.thread_id operator(pg_catalog.=) any (v_idle_threads);
        select pg_catalog.count(*) into checkpoint_blobs from public.checkpoint_blobs as r where r.thread_id operator(pg_catalog.=) any (v_idle_threads);
        select pg_catalog.count(*) into checkpoint_writes from public.checkpoint_writes as r where r.thread_id operator(pg_catalog.=) any (v_idle_threads);
        if not p_dry_run then
            delete from threadguard.conversations as c where c.id operator(pg_catalog.=) any (v_idle);
        end if;
    end if;

    -- The others: keep the latest N root checkpoints, their writes and the blobs they reference.
    for v_thread, v_keep in
        select c.thread_id, case when t.tenant_id is not null then t.keep_checkpoints else d.keep_checkpoints end
          from threadguard.conversations as c
          left join threadguard.retention_policies as t on t.tenant_id operator(pg_catalog.=) c.tenant_id
          left join threadguard.retention_policies as d on d.tenant_id operator(pg_catalog.=) v_nil
         where c.id operator(pg_catalog.=) any (v_ids)
           and c.id operator(pg_catalog.<>) all (coalesce(v_idle, '{}'))
           and (case when t.tenant_id is not null then t.keep_checkpoints else d.keep_checkpoints end) is not null
    loop
        select pg_catalog.array_agg(k.checkpoint_id) into v_doomed
          from (select cp.checkpoint_id from public.checkpoints as cp
                 where cp.thread_id operator(pg_catalog.=) v_thread and cp.checkpoint_ns operator(pg_catalog.=) ''
                 order by cp.checkpoint_id desc offset v_keep) as k;
        continue when v_doomed is null;
        -- What goes: the doomed checkpoints, their writes, and every blob no kept checkpoint references.
        select pg_catalog.array_agg(bl.ctid) into v_blobs from public.checkpoint_blobs as bl
         where bl.thread_id operator(pg_catalog.=) v_thread and bl.checkpoint_ns operator(pg_catalog.=) ''
           and not exists (select from public.checkpoints as cp
                            where cp.thread_id operator(pg_catalog.=) v_thread and cp.checkpoint_ns operator(pg_catalog.=) ''
                              and cp.checkpoint_id operator(pg_catalog.<>) all (v_doomed)
                              and (cp.checkpoint operator(pg_catalog.->) 'channel_versions' operator(pg_catalog.->>) bl.channel)
                                  operator(pg_catalog.=) bl.version);
        select pg_catalog.array_agg(w.ctid) into v_writes from public.checkpoint_writes as w
         where w.thread_id operator(pg_catalog.=) v_thread and w.checkpoint_ns operator(pg_catalog.=) ''
           and w.checkpoint_id operator(pg_catalog.=) any (v_doomed);
        checkpoint_blobs := checkpoint_blobs operator(pg_catalog.+) coalesce(pg_catalog.cardinality(v_blobs), 0);
        checkpoint_writes := checkpoint_writes operator(pg_catalog.+) coalesce(pg_catalog.cardinality(v_writes), 0);
        if not p_dry_run then
            -- ctid is unique within one table only: the thread's rows (all in one partition, when the
            -- tables are partitioned by thread_id) are named by thread first.
            delete from public.checkpoint_blobs as bl
             where bl.thread_id operator(pg_catalog.=) v_thread and bl.ctid operator(pg_catalog.=) any (v_blobs);
            delete from public.checkpoint_writes as w
             where w.thread_id operator(pg_catalog.=) v_thread and w.ctid operator(pg_catalog.=) any (v_writes);
            delete from public.checkpoints as cp
             where cp.thread_id operator(pg_catalog.=) v_thread and cp.checkpoint_ns operator(pg_catalog.=) ''
               and cp.checkpoint_id operator(pg_catalog.=) any (v_doomed);
        end if;
        checkpoints := checkpoints operator(pg_catalog.+) pg_catalog.cardinality(v_doomed);
    end loop;

    if not p_dry_run and (conversations operator(pg_catalog.+) checkpoints operator(pg_catalog.+) checkpoint_blobs
                          operator(pg_catalog.+) checkpoint_writes) operator(pg_catalog.>) 0 then
        insert into threadguard.audit_log (action, reason, row_count, detail)
        values ('retention', 'retention policies',
                checkpoints operator(pg_catalog.+) checkpoint_blobs operator(pg_catalog.+) checkpoint_writes,
                pg_catalog.jsonb_build_object('conversations', conversations, 'checkpoints', checkpoints,
                    'checkpoint_blobs', checkpoint_blobs, 'checkpoint_writes', checkpoint_writes, 'after', p_after, 'batch', p_batch));
    end if;
    return next;
end
$$;
alter function threadguard.apply_retention(integer, uuid, boolean) owner to threadguard_operator;
revoke all on function threadguard.apply_retention(integer, uuid, boolean) from public;
grant execute on function threadguard.apply_retention(integer, uuid, boolean) to threadguard_admin;
comment on function threadguard.apply_retention(integer, uuid, boolean) is
    'Retention (operators): applies the policies to up to p_batch conversations after p_after (id order): deletes idle ones, prunes the others'' root namespace to their latest checkpoints with the writes and blobs those need. Returns next_after (null: done) and what it removed (p_dry_run: would remove). Safe to run repeatedly and concurrently; audited.';
set local role threadguard_owner;
