-- threadguard.set_conversation_metadata: replaces the application's labels (a JSON
-- object) of one conversation of the current user. Absent and foreign ids give the
-- same answer: false.

create or replace function threadguard.set_conversation_metadata(p_thread_id uuid, p_metadata jsonb)
returns boolean
language plpgsql
-- Definer: the application has no UPDATE on the column; identity comes only from
-- the context, and RLS still applies.
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
    if p_metadata is null or pg_catalog.jsonb_typeof(p_metadata) operator(pg_catalog.<>) 'object'
       or pg_catalog.octet_length(p_metadata::text) operator(pg_catalog.>) 8192 then
        raise exception 'threadguard: p_metadata must be a JSON object of at most 8 kB (got %)',
            coalesce(pg_catalog.jsonb_typeof(p_metadata), 'null')
            || case when pg_catalog.jsonb_typeof(p_metadata) operator(pg_catalog.=) 'object'
                    then ', ' || pg_catalog.octet_length(p_metadata::text) || ' bytes' else '' end
            using errcode = 'invalid_parameter_value';
    end if;
    update threadguard.conversations as c set metadata = p_metadata
     where c.id operator(pg_catalog.=) p_thread_id
       and c.tenant_id operator(pg_catalog.=) v_tenant_id
       and c.user_id operator(pg_catalog.=) v_user_id;
    return found;
end
$$;

revoke all on function threadguard.set_conversation_metadata(uuid, jsonb) from public;
grant execute on function threadguard.set_conversation_metadata(uuid, jsonb) to threadguard_app;
comment on function threadguard.set_conversation_metadata(uuid, jsonb) is
    'Replaces the metadata (a JSON object of at most 8 kB, the application''s own labels, searched by search_conversations) of one conversation of the current user. True when set; false when the id does not exist or belongs to someone else (indistinguishable). Raises 42501 without a valid context, 22023 on bad metadata, 22004 for a null id.';
