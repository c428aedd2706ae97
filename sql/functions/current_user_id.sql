-- threadguard.current_user_id: the user of the current transaction, from app.user_id.
-- Column defaults and API functions read it through this; policies read the same
-- expression through the threadguard.context view (sql/functions/context_view.sql).
-- Inlinable SQL (one expression, no FROM): plain C calls where it is used.

create or replace function threadguard.current_user_id()
returns uuid
language sql
stable
parallel safe
as $$
    select case
        when pg_catalog.length(pg_catalog.current_setting('app.user_id', true)) operator(pg_catalog.=) 36
         and pg_catalog.translate(pg_catalog.current_setting('app.user_id', true), '0123456789abcdefABCDEF', '') operator(pg_catalog.=) '----'
         and pg_catalog.substr(pg_catalog.current_setting('app.user_id', true), 9, 1) operator(pg_catalog.=) '-'
         and pg_catalog.substr(pg_catalog.current_setting('app.user_id', true), 14, 1) operator(pg_catalog.=) '-'
         and pg_catalog.substr(pg_catalog.current_setting('app.user_id', true), 19, 1) operator(pg_catalog.=) '-'
         and pg_catalog.substr(pg_catalog.current_setting('app.user_id', true), 24, 1) operator(pg_catalog.=) '-'
         and pg_catalog.current_setting('app.user_id', true) operator(pg_catalog.<>) '00000000-0000-0000-0000-000000000000'
        then cast(pg_catalog.current_setting('app.user_id', true) as pg_catalog.uuid)
    end
$$;

revoke all on function threadguard.current_user_id() from public;
grant execute on function threadguard.current_user_id() to threadguard_app, threadguard_admin;
comment on function threadguard.current_user_id() is
    'The user of the current transaction (setting app.user_id) as a uuid, or null when it is unset, empty, not a canonical 8-4-4-4-12 uuid, or the nil uuid. Never raises.';
