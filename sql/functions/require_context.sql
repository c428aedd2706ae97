-- threadguard.require_context: the API functions' guard and their one reading of
-- the identity. Returns the current tenant and user (current_tenant_id(),
-- current_user_id()); raises 42501, naming the setting, when app.tenant_id or
-- app.user_id is missing, empty or not a uuid, so that a caller with no identity
-- gets an error instead of an empty answer. The callers keep the pair in variables:
-- inlined into their queries, the context expressions would be parsed again
-- whenever a query is planned (bench/ATTEMPTS.md).

create or replace function threadguard.require_context(out tenant_id uuid, out user_id uuid)
language plpgsql
stable
set search_path = pg_catalog, pg_temp
as $$
declare
    v_hint constant text := 'Bind the caller''s identity in this transaction first: begin; select set_config(''app.tenant_id'', ''<uuid>'', true), set_config(''app.user_id'', ''<uuid>'', true); ...';
begin
    begin
        tenant_id := threadguard.current_tenant_id();
    exception when invalid_text_representation then
        tenant_id := null;  -- not a uuid: the same answer as unset
    end;
    if tenant_id is null then
        raise exception 'threadguard: app.tenant_id is not set to a valid uuid'
            using errcode = 'insufficient_privilege', hint = v_hint;
    end if;
    begin
        user_id := threadguard.current_user_id();
    exception when invalid_text_representation then
        user_id := null;
    end;
    if user_id is null then
        raise exception 'threadguard: app.user_id is not set to a valid uuid'
            using errcode = 'insufficient_privilege', hint = v_hint;
    end if;
end
$$;

revoke all on function threadguard.require_context() from public;
grant execute on function threadguard.require_context() to threadguard_app;
comment on function threadguard.require_context() is
    'The current (tenant_id, user_id), as current_tenant_id() and current_user_id() return them; raises 42501 naming the missing setting unless both are valid uuids. Every API function calls it first and uses what it returns.';
