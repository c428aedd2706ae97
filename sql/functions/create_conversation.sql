-- threadguard.create_conversation: the API call that opens a new LangGraph thread
-- for the current tenant and user. The owner comes only from the context.

create or replace function threadguard.create_conversation(p_title text default null, p_id uuid default null)
returns threadguard.conversations
language plpgsql
-- Definer: the application may not choose created_at/updated_at or the owner
-- columns; the function sets them from the trusted context. RLS still applies.
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_tenant_id uuid;  -- from threadguard.require_context(), read once
    v_user_id uuid;
    v_row threadguard.conversations;
begin
    select c.tenant_id, c.user_id into v_tenant_id, v_user_id from threadguard.require_context() as c;
    if p_title is not null and pg_catalog.char_length(p_title) not between 1 and 200 then
        raise exception 'threadguard: p_title must be 1 to 200 characters long (got %)', pg_catalog.char_length(p_title)
            using errcode = 'invalid_parameter_value';
    end if;
    if p_id operator(pg_catalog.=) '00000000-0000-0000-0000-000000000000'::pg_catalog.uuid then
        raise exception 'threadguard: p_id must not be the nil uuid' using errcode = 'invalid_parameter_value';
    end if;
    -- A thread LangGraph wrote before threadguard is its owner's once adopted: nobody may take its id first.
    if p_id is not null and threadguard.thread_awaits_adoption(p_id::text) then
        raise unique_violation;
    end if;
    insert into threadguard.conversations (id, tenant_id, user_id, title)
    values (coalesce(p_id, pg_catalog.gen_random_uuid()),
            v_tenant_id, v_user_id, p_title)
    returning * into v_row;
    return v_row;
exception when unique_violation then
    raise exception 'threadguard: a conversation with id % already exists', p_id
        using errcode = 'unique_violation',
              hint = 'Pass p_id => null to get a fresh thread id.';
end
$$;

revoke all on function threadguard.create_conversation(text, uuid) from public;
grant execute on function threadguard.create_conversation(text, uuid) to threadguard_app;
comment on function threadguard.create_conversation(text, uuid) is
    'Creates a conversation (a LangGraph thread) owned by the current app.tenant_id/app.user_id and returns it. p_title: null or 1-200 characters; p_id: the thread id to use (default: a fresh uuid). Raises 42501 without a valid context, 22023 on a bad title, 23505 when p_id is taken (by a conversation, or by a thread awaiting adoption).';
