-- threadguard.copy_conversation: copies one conversation of the current user into a
-- new conversation of the same user: every namespace, checkpoint, blob and pending
-- write of its thread, ids and parent chain kept (LangGraph's copy_thread). Absent and
-- foreign sources give the same answer: null, nothing created.

create or replace function threadguard.copy_conversation(
    p_source_thread_id uuid,
    p_target_thread_id uuid default null,
    p_title text default null
)
returns uuid
language plpgsql
-- Definer: the copy is one statement per table whatever the application's grants;
-- the new rows are stamped with the context's owner, and RLS still applies to every
-- row read and written (the source must be the caller's, the target becomes theirs).
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_tenant_id uuid;  -- from threadguard.require_context(), read once
    v_user_id uuid;
    v_source threadguard.conversations;
    v_target uuid := coalesce(p_target_thread_id, pg_catalog.gen_random_uuid());
    v_target_text text;
begin
    select c.tenant_id, c.user_id into v_tenant_id, v_user_id from threadguard.require_context() as c;
    if p_source_thread_id is null then
        raise exception 'threadguard: p_source_thread_id must not be null' using errcode = 'null_value_not_allowed';
    end if;
    if p_title is not null and pg_catalog.char_length(p_title) not between 1 and 200 then
        raise exception 'threadguard: p_title must be 1 to 200 characters long (got %)', pg_catalog.char_length(p_title)
            using errcode = 'invalid_parameter_value';
    end if;
    if v_target operator(pg_catalog.=) '00000000-0000-0000-0000-000000000000'::pg_catalog.uuid then
        raise exception 'threadguard: p_target_thread_id must not be the nil uuid' using errcode = 'invalid_parameter_value';
    end if;

    -- FOR SHARE: a concurrent delete_conversation of the source waits or wins, never half.
    select * into v_source from threadguard.conversations as c
     where c.id operator(pg_catalog.=) p_source_thread_id
       and c.tenant_id operator(pg_catalog.=) v_tenant_id
       and c.user_id operator(pg_catalog.=) v_user_id
       for share;
    if not found then
        return null;
    end if;
    if threadguard.thread_awaits_adoption(v_target::text) then
        raise unique_violation;
    end if;
    insert into threadguard.conversations (id, tenant_id, user_id, title, metadata)
    values (v_target, v_tenant_id, v_user_id, coalesce(p_title, v_source.title), v_source.metadata)
    returning thread_id into v_target_text;

    insert into public.checkpoints (thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, type, checkpoint, metadata,
                                    threadguard_tenant_id, threadguard_user_id)
    select v_target_text, cp.checkpoint_ns, cp.checkpoint_id, cp.parent_checkpoint_id, cp.type, cp.checkpoint, cp.metadata,
           v_tenant_id, v_user_id
      from public.checkpoints as cp
     where cp.thread_id operator(pg_catalog.=) v_source.thread_id;
    insert into public.checkpoint_blobs (thread_id, checkpoint_ns, channel, version, type, blob,
                                         threadguard_tenant_id, threadguard_user_id)
    select v_target_text, b.checkpoint_ns, b.channel, b.version, b.type, b.blob, v_tenant_id, v_user_id
      from public.checkpoint_blobs as b
     where b.thread_id operator(pg_catalog.=) v_source.thread_id;
    insert into public.checkpoint_writes (thread_id, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, blob, task_path,
                                          threadguard_tenant_id, threadguard_user_id)
    select v_target_text, w.checkpoint_ns, w.checkpoint_id, w.task_id, w.idx, w.channel, w.type, w.blob, w.task_path,
           v_tenant_id, v_user_id
      from public.checkpoint_writes as w
     where w.thread_id operator(pg_catalog.=) v_source.thread_id;
    return v_target;
exception when unique_violation then
    raise exception 'threadguard: a conversation with id % already exists', v_target
        using errcode = 'unique_violation',
              hint = 'Pass p_target_thread_id => null to copy into a fresh thread id.';
end
$$;

revoke all on function threadguard.copy_conversation(uuid, uuid, text) from public;
grant execute on function threadguard.copy_conversation(uuid, uuid, text) to threadguard_app;
comment on function threadguard.copy_conversation(uuid, uuid, text) is
    'Copies one conversation of the current user (title unless p_title is given, metadata, and every checkpoint, blob and pending write of every namespace, ids and parent chain kept) into a new conversation of the same user with id p_target_thread_id (default: a fresh uuid), in one transaction; returns the new id. Null, creating nothing, when the source does not exist or belongs to someone else (indistinguishable). Raises 42501 without a valid context, 22023 on a bad title or the nil uuid, 22004 for a null source, 23505 when the target id is taken (by a conversation, or by a thread awaiting adoption).';
