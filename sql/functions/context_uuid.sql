-- threadguard.context_uuid: the one place that decides what a valid context value is.
-- Unset, empty (after RESET, DISCARD ALL or the end of a transaction-local
-- set_config), malformed and the nil uuid all read as null, which no row matches.
-- The slow path of current_tenant_id()/current_user_id() and of the context view:
-- taken only when the setting was not made by threadguard's binding. PL/pgSQL,
-- with a pinned search_path: it is reached from policies (the application's
-- path) and from definer functions (pinned), and PL/pgSQL re-plans its
-- expressions whenever the search_path differs from the previous call's.

create or replace function threadguard.context_uuid(p_setting text)
returns uuid
language plpgsql
stable
parallel safe
set search_path = pg_catalog, pg_temp
as $$
declare
    v_value text := pg_catalog.current_setting(p_setting, true);
begin
    -- The canonical 8-4-4-4-12 hex form, checked with plain string functions
    -- (a regular expression costs more than the rest of the call put together).
    if pg_catalog.length(v_value) operator(pg_catalog.=) 36
       and pg_catalog.translate(v_value, '0123456789abcdefABCDEF', '') operator(pg_catalog.=) '----'
       and pg_catalog.substr(v_value, 9, 1) operator(pg_catalog.=) '-'
       and pg_catalog.substr(v_value, 14, 1) operator(pg_catalog.=) '-'
       and pg_catalog.substr(v_value, 19, 1) operator(pg_catalog.=) '-'
       and v_value operator(pg_catalog.<>) '00000000-0000-0000-0000-000000000000' then
        return cast(v_value as pg_catalog.uuid);
    end if;
    return null;
end
$$;

revoke all on function threadguard.context_uuid(text) from public;
grant execute on function threadguard.context_uuid(text) to threadguard_app, threadguard_admin;
comment on function threadguard.context_uuid(text) is
    'The setting p_setting as a uuid, or null when it is unset, empty, malformed or the nil uuid. Never raises, so a bad context fails closed instead of failing loudly inside a policy.';
