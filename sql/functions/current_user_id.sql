-- threadguard.current_user_id: the user of the current connection, from app.user_id.
-- Column defaults and API functions read the user through this; policies read
-- the same expression through the threadguard.context view (sql/functions/context_view.sql).
--
-- SQL, so that PostgreSQL inlines it where it is planned once and kept (the
-- saver's INSERT defaults, the API functions' cached plans): the common case is
-- then a few C calls instead of a PL/pgSQL call (~30 µs per statement measured,
-- bench/ATTEMPTS.md). The common case: threadguard's binding sets
-- threadguard.bound_user_id to the same string, in the statement that sets
-- app.user_id, and it only ever sends uuids it formatted itself, so equal strings
-- need no character checks (the empty string it clears with, and the nil uuid,
-- read as null). Never set is null at once; anything else
-- (set by hand, stale) goes through context_uuid's full check. Whoever sets both
-- settings to the same malformed string gets a cast error: never rows.

create or replace function threadguard.current_user_id()
returns uuid
language sql
stable
parallel safe
as $$
    select case
        when pg_catalog.current_setting('app.user_id', true)
             operator(pg_catalog.=) pg_catalog.current_setting('threadguard.bound_user_id', true)
            then cast(nullif(nullif(pg_catalog.current_setting('app.user_id', true), ''),  -- NULLIF is syntax
                             '00000000-0000-0000-0000-000000000000') as pg_catalog.uuid)
        when pg_catalog.current_setting('app.user_id', true) is null  -- never set
            then null
        else threadguard.context_uuid('app.user_id')
    end
$$;

revoke all on function threadguard.current_user_id() from public;
grant execute on function threadguard.current_user_id() to threadguard_app, threadguard_admin;
comment on function threadguard.current_user_id() is
    'User of the current connection (setting app.user_id), or null when it is unset, empty, malformed or the nil uuid (an error if threadguard.bound_user_id was set by hand to the same malformed string). Inlined where it is used; policies use the same expression through the threadguard.context view.';
