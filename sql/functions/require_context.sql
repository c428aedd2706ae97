-- threadguard.require_context: the API functions' guard. Raises 42501, naming the
-- setting, when app.tenant_id or app.user_id is missing, empty or not a uuid,
-- so that a caller with no identity gets an error instead of an empty answer.

create or replace function threadguard.require_context()
returns void
language plpgsql
stable
set search_path = pg_catalog, pg_temp
as $$
begin
    if threadguard.current_tenant_id() is null then
        raise exception 'threadguard: app.tenant_id is not set to a valid uuid'
            using errcode = 'insufficient_privilege',
                  hint = 'Bind the caller''s identity first: select set_config(''app.tenant_id'', ''<uuid>'', false), set_config(''app.user_id'', ''<uuid>'', false)';
    end if;
    if threadguard.current_user_id() is null then
        raise exception 'threadguard: app.user_id is not set to a valid uuid'
            using errcode = 'insufficient_privilege',
                  hint = 'Bind the caller''s identity first: select set_config(''app.tenant_id'', ''<uuid>'', false), set_config(''app.user_id'', ''<uuid>'', false)';
    end if;
end
$$;

revoke all on function threadguard.require_context() from public;
grant execute on function threadguard.require_context() to threadguard_app;
comment on function threadguard.require_context() is
    'Raises 42501 naming the missing setting unless app.tenant_id and app.user_id both hold valid uuids. Every API function calls it first.';
