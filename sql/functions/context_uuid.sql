-- threadguard.context_uuid: the one place that decides what a valid context value is.
-- Unset, empty (after RESET, DISCARD ALL or the end of a transaction-local
-- set_config), malformed and the nil uuid all read as null, which no row matches.

create or replace function threadguard.context_uuid(p_setting text)
returns uuid
language sql
stable
parallel safe
as $$
    select case
        when v.value operator(pg_catalog.~) '^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$'
         and v.value operator(pg_catalog.<>) '00000000-0000-0000-0000-000000000000'
        then cast(v.value as pg_catalog.uuid)
    end
    from (select pg_catalog.current_setting(p_setting, true)) as v (value)
$$;

revoke all on function threadguard.context_uuid(text) from public;
grant execute on function threadguard.context_uuid(text) to threadguard_app, threadguard_admin;
comment on function threadguard.context_uuid(text) is
    'The setting p_setting as a uuid, or null when it is unset, empty, malformed or the nil uuid. Never raises, so a bad context fails closed instead of failing loudly inside a policy.';
