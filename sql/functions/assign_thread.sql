-- threadguard.assign_thread: finishes an adoption. Rows LangGraph wrote before
-- threadguard have no owner and stay invisible to everyone; this gives one such
-- thread to a tenant and user: it creates the thread's conversation and stamps
-- the thread's unowned rows. The owner is a parameter on purpose: it is the DBA's
-- statement of who owned the thread (from the application's own records), made
-- once, by a member of threadguard_admin (threadguard adopt), e.g.
--   select threadguard.assign_thread(thread_id, tenant_id, user_id) from my_threads;

reset role;  -- created as the migrating administrator, then given to threadguard_operator
create or replace function threadguard.assign_thread(
    p_thread_id text,
    p_tenant_id uuid,
    p_user_id uuid,
    p_title text default null
)
returns bigint
language plpgsql
volatile
-- Definer: it runs as threadguard_operator, whose policies reach rows nobody owns yet
-- (and only to give them an owner); no login is a member of it.
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_id uuid := threadguard.thread_uuid(p_thread_id);
    v_stamped bigint := 0;
    v_n bigint;
    v_table text;
begin
    if p_thread_id is null or p_tenant_id is null or p_user_id is null then
        raise exception 'threadguard: p_thread_id, p_tenant_id and p_user_id must not be null'
            using errcode = 'null_value_not_allowed';
    end if;
    if v_id is null then
        raise exception 'threadguard: thread_id % is not a canonical lower-case uuid, so it cannot become a conversation', p_thread_id
            using errcode = 'invalid_parameter_value',
                  hint = 'Such a thread can only be copied to a new thread whose id is a conversation id.';
    end if;
    if p_tenant_id operator(pg_catalog.=) '00000000-0000-0000-0000-000000000000'::pg_catalog.uuid
       or p_user_id operator(pg_catalog.=) '00000000-0000-0000-0000-000000000000'::pg_catalog.uuid then
        raise exception 'threadguard: the nil uuid is not a tenant or user' using errcode = 'invalid_parameter_value';
    end if;
    if exists (select from threadguard.conversations as c where c.id operator(pg_catalog.=) v_id) then
        raise exception 'threadguard: thread % already has a conversation', p_thread_id
            using errcode = 'unique_violation';
    end if;

    insert into threadguard.conversations (id, tenant_id, user_id, title)
    values (v_id, p_tenant_id, p_user_id, p_title);
    foreach v_table in array array['checkpoints', 'checkpoint_blobs', 'checkpoint_writes'] loop
        execute pg_catalog.format(
            'update public.%I set threadguard_tenant_id = $1, threadguard_user_id = $2'
            ' where thread_id operator(pg_catalog.=) $3 and threadguard_tenant_id is null', v_table)
            using p_tenant_id, p_user_id, p_thread_id;
        get diagnostics v_n = row_count;
        v_stamped := v_stamped operator(pg_catalog.+) v_n;
    end loop;
    if pg_catalog.to_regclass('threadguard.audit_log') is not null then  -- from migration 0014 on
        insert into threadguard.audit_log (action, tenant_id, user_id, reason, row_count, detail)
        values ('assign_thread', p_tenant_id, p_user_id, 'adoption', v_stamped, pg_catalog.jsonb_build_object('thread_id', p_thread_id));
    end if;
    return v_stamped;
end
$$;

alter function threadguard.assign_thread(text, uuid, uuid, text) owner to threadguard_operator;
revoke all on function threadguard.assign_thread(text, uuid, uuid, text) from public;
grant execute on function threadguard.assign_thread(text, uuid, uuid, text) to threadguard_admin;
comment on function threadguard.assign_thread(text, uuid, uuid, text) is
    'Adoption (operators): creates the conversation of an existing LangGraph thread for (p_tenant_id, p_user_id) and stamps the thread''s unowned checkpoint, blob and write rows with them; returns how many rows it stamped. Audited. 22023 for a thread id that is not a canonical uuid or a nil owner, 23505 when the thread already has a conversation.';
set local role threadguard_owner;
