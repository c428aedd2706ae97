-- threadguard.rename_conversation: changes the title of one conversation of the
-- current user. Absent and foreign ids give the same answer: false.

create or replace function threadguard.rename_conversation(p_thread_id uuid, p_title text)
returns boolean
language plpgsql
-- Definer: the same update whatever the application's grants; identity comes only
-- from the context, and RLS still applies.
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_tenant_id uuid;  -- from threadguard.require_context(), read once
    v_user_id uuid;
begin
    select c.tenant_id, c.user_id into v_tenant_id, v_user_id from threadguard.require_context() as c;
    if p_thread_id is null then
        raise exception 'threadguard: p_thread_id must not be null' using errcode = 'null_value_not_allowed';
    end if;
    if p_title is not null and pg_catalog.char_length(p_title) not between 1 and 200 then
        raise exception 'threadguard: p_title must be 1 to 200 characters long (got %)', pg_catalog.char_length(p_title)
            using errcode = 'invalid_parameter_value';
    end if;
    update threadguard.conversations as c set title = p_title
     where c.id operator(pg_catalog.=) p_thread_id
       and c.tenant_id operator(pg_catalog.=) v_tenant_id
       and c.user_id operator(pg_catalog.=) v_user_id;
    return found;
end
$$;

revoke all on function threadguard.rename_conversation(uuid, text) from public;
grant execute on function threadguard.rename_conversation(uuid, text) to threadguard_app;
comment on function threadguard.rename_conversation(uuid, text) is
    'Sets the title (null, or 1-200 characters) of one conversation of the current user. True when renamed; false when the id does not exist or belongs to someone else (indistinguishable). Raises 42501 without a valid context, 22023 on a bad title, 22004 for a null id.';
