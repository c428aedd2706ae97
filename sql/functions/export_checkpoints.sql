-- threadguard.export_checkpoints: one conversation's root checkpoints, newest first, in
-- the shape LangGraph's saver reads them (so its own serializer decodes them); audited.

reset role;  -- created as the migrating administrator, then given to threadguard_operator
create or replace function threadguard.export_checkpoints(p_tenant_id uuid, p_thread_id uuid, p_reason text)
returns table (
    thread_id text, checkpoint jsonb, checkpoint_ns text, checkpoint_id text, parent_checkpoint_id text,
    metadata jsonb, channel_values bytea[], pending_writes bytea[]
)
language plpgsql
-- Definer: runs as threadguard_operator, whose policies reach every tenant.
security definer
set search_path = pg_catalog, pg_temp
as $$
#variable_conflict use_column
declare
    v_n bigint;
begin
    if p_tenant_id is null or p_thread_id is null or p_reason is null or pg_catalog.btrim(p_reason) operator(pg_catalog.=) '' then
        raise exception 'threadguard: an export needs a tenant, a thread and a reason' using errcode = 'null_value_not_allowed';
    end if;
    return query
    select k.thread_id, k.checkpoint, k.checkpoint_ns, k.checkpoint_id, k.parent_checkpoint_id, k.metadata,
           (select pg_catalog.array_agg(array[pg_catalog.convert_to(bl.channel, 'UTF8'), pg_catalog.convert_to(bl.type, 'UTF8'), bl.blob])
              from pg_catalog.jsonb_each_text(k.checkpoint operator(pg_catalog.->) 'channel_versions') as v
              join public.checkpoint_blobs as bl
                on bl.thread_id operator(pg_catalog.=) k.thread_id and bl.checkpoint_ns operator(pg_catalog.=) k.checkpoint_ns
               and bl.channel operator(pg_catalog.=) v.key and bl.version operator(pg_catalog.=) v.value),
           (select pg_catalog.array_agg(array[pg_catalog.convert_to(cw.task_id, 'UTF8'), pg_catalog.convert_to(cw.channel, 'UTF8'),
                                              pg_catalog.convert_to(cw.type, 'UTF8'), cw.blob, pg_catalog.convert_to(cw.task_path, 'UTF8'),
                                              pg_catalog.convert_to(cw.idx::text, 'UTF8')])
              from public.checkpoint_writes as cw
             where cw.thread_id operator(pg_catalog.=) k.thread_id and cw.checkpoint_ns operator(pg_catalog.=) k.checkpoint_ns
               and cw.checkpoint_id operator(pg_catalog.=) k.checkpoint_id)
      from threadguard.conversations as c
      join public.checkpoints as k on k.thread_id operator(pg_catalog.=) c.thread_id and k.checkpoint_ns operator(pg_catalog.=) ''
     where c.id operator(pg_catalog.=) p_thread_id and c.tenant_id operator(pg_catalog.=) p_tenant_id
     order by k.checkpoint_id desc;
    get diagnostics v_n = row_count;
    insert into threadguard.audit_log (action, tenant_id, reason, row_count, detail)
    values ('export_checkpoints', p_tenant_id, p_reason, v_n, pg_catalog.jsonb_build_object('thread_id', p_thread_id));
end
$$;
alter function threadguard.export_checkpoints(uuid, uuid, text) owner to threadguard_operator;
revoke all on function threadguard.export_checkpoints(uuid, uuid, text) from public;
grant execute on function threadguard.export_checkpoints(uuid, uuid, text) to threadguard_admin;
comment on function threadguard.export_checkpoints(uuid, uuid, text) is
    'Export (operators): the root checkpoints of conversation p_thread_id of p_tenant_id, newest first, with their blobs and pending writes as LangGraph''s saver reads them; no rows when the conversation is not that tenant''s. Audited with p_reason.';
set local role threadguard_owner;
