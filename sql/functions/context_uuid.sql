-- threadguard.context_uuid: the one place that decides what a valid context value is.
-- Unset, empty (after RESET, DISCARD ALL or the end of a transaction-local
-- set_config), malformed and the nil uuid all read as null, which no row matches.
-- One expression with no FROM clause, so that PostgreSQL inlines it (and the
-- functions built on it) instead of running a nested SQL function each call.

create or replace function threadguard.context_uuid(p_setting text)
returns uuid
language sql
stable
parallel safe
as $$
    select case
        when pg_catalog.current_setting(p_setting, true)
                 operator(pg_catalog.~) '^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$'
         and pg_catalog.current_setting(p_setting, true)
                 operator(pg_catalog.<>) '00000000-0000-0000-0000-000000000000'
        then cast(pg_catalog.current_setting(p_setting, true) as pg_catalog.uuid)
    end
$$;

revoke all on function threadguard.context_uuid(text) from public;
grant execute on function threadguard.context_uuid(text) to threadguard_app, threadguard_admin;
comment on function threadguard.context_uuid(text) is
    'The setting p_setting as a uuid, or null when it is unset, empty, malformed or the nil uuid. Never raises, so a bad context fails closed instead of failing loudly inside a policy. Inlinable.';
