-- threadguard.require_context: the API functions' guard and their one reading of
-- the identity. Returns the current tenant and user (threadguard.context: the settings,
-- or in a sealed database the verified token's); raises 42501, naming what is missing
-- (app.tenant_id, app.user_id or a verified token), so that a caller with no identity
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
        select c.tenant_id, c.user_id into tenant_id, user_id from threadguard.context as c;
    exception when invalid_text_representation then
        tenant_id := null;  -- not a uuid: the same answer as unset
    end;
    if tenant_id is not null and user_id is not null then
        return;
    end if;
    if exists (select from threadguard.token_settings as s where s.sealed) then
        raise exception 'threadguard: this database is sealed and app.token holds no verified, unexpired token'
            using errcode = 'insufficient_privilege',
                  hint = 'Present the caller''s token in this transaction first: begin; select threadguard.present_token(''<jwt>''); ...';
    end if;
    begin
        tenant_id := threadguard.current_tenant_id();
    exception when invalid_text_representation then
        tenant_id := null;
    end;
    if tenant_id is null then
        raise exception 'threadguard: app.tenant_id is not set to a valid uuid'
            using errcode = 'insufficient_privilege', hint = v_hint;
    end if;
    raise exception 'threadguard: app.user_id is not set to a valid uuid'
        using errcode = 'insufficient_privilege', hint = v_hint;
end
$$;

revoke all on function threadguard.require_context() from public;
grant execute on function threadguard.require_context() to threadguard_app;
comment on function threadguard.require_context() is
    'The current (tenant_id, user_id) as threadguard.context gives them (the settings, or a sealed database''s verified token); raises 42501 naming what is missing otherwise. Every API function calls it first and uses what it returns.';
