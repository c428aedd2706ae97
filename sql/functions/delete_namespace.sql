-- threadguard.delete_namespace: deletes one subgraph's state (a checkpoint_ns and the
-- namespaces nested under it) from one conversation of the current user, leaving the
-- root namespace and LangGraph's delete_thread contract untouched.

create or replace function threadguard.delete_namespace(p_thread_id uuid, p_checkpoint_ns text)
returns bigint
language plpgsql
-- Definer: the same deletion whatever the application's grants on the tables;
-- identity comes only from the context, and RLS still applies.
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_tenant_id uuid;  -- from threadguard.require_context(), read once
    v_user_id uuid;
    v_thread text;
    v_n bigint;
    v_total bigint := 0;
begin
    select c.tenant_id, c.user_id into v_tenant_id, v_user_id from threadguard.require_context() as c;
    if p_thread_id is null or p_checkpoint_ns is null then
        raise exception 'threadguard: p_thread_id and p_checkpoint_ns must not be null' using errcode = 'null_value_not_allowed';
    end if;
    if p_checkpoint_ns operator(pg_catalog.=) '' then
        raise exception 'threadguard: the root namespace is the thread itself'
            using errcode = 'invalid_parameter_value',
                  hint = 'Delete the conversation with threadguard.delete_conversation, or its checkpoints with LangGraph''s delete_thread.';
    end if;
    select cv.thread_id into v_thread from threadguard.conversations as cv
     where cv.id operator(pg_catalog.=) p_thread_id
       and cv.tenant_id operator(pg_catalog.=) v_tenant_id
       and cv.user_id operator(pg_catalog.=) v_user_id;
    if v_thread is null then
        return null;  -- absent or someone else's: the same answer
    end if;
    -- The namespace and those nested under it ('<ns>|...'), compared without LIKE so
    -- that '%' or '_' in a namespace match only themselves.
    delete from public.checkpoint_writes as w
     where w.thread_id operator(pg_catalog.=) v_thread
       and (w.checkpoint_ns operator(pg_catalog.=) p_checkpoint_ns
            or pg_catalog.starts_with(w.checkpoint_ns, p_checkpoint_ns operator(pg_catalog.||) '|'));
    get diagnostics v_n = row_count;
    v_total := v_total operator(pg_catalog.+) v_n;
    delete from public.checkpoint_blobs as b
     where b.thread_id operator(pg_catalog.=) v_thread
       and (b.checkpoint_ns operator(pg_catalog.=) p_checkpoint_ns
            or pg_catalog.starts_with(b.checkpoint_ns, p_checkpoint_ns operator(pg_catalog.||) '|'));
    get diagnostics v_n = row_count;
    v_total := v_total operator(pg_catalog.+) v_n;
    delete from public.checkpoints as k
     where k.thread_id operator(pg_catalog.=) v_thread
       and (k.checkpoint_ns operator(pg_catalog.=) p_checkpoint_ns
            or pg_catalog.starts_with(k.checkpoint_ns, p_checkpoint_ns operator(pg_catalog.||) '|'));
    get diagnostics v_n = row_count;
    return v_total operator(pg_catalog.+) v_n;
end
$$;

revoke all on function threadguard.delete_namespace(uuid, text) from public;
grant execute on function threadguard.delete_namespace(uuid, text) to threadguard_app;
comment on function threadguard.delete_namespace(uuid, text) is
    'Deletes the checkpoints, blobs and writes of one subgraph namespace (and the namespaces nested under it, ''<ns>|...'') of one conversation of the current user; returns how many rows it deleted, null when the conversation does not exist or belongs to someone else (indistinguishable). The root namespace is refused (22023): use delete_conversation. Raises 42501 without a valid context, 22004 for null arguments.';
