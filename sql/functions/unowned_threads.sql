-- threadguard.unowned_threads: how many LangGraph threads still have rows nobody owns, what
-- `threadguard adopt` reports at its end. Only threadguard_operator's policies see such rows.

reset role;  -- created as the migrating administrator, then given to threadguard_operator
create or replace function threadguard.unowned_threads()
returns bigint
language sql
stable
-- Definer: it runs as threadguard_operator, whose policies see every row (a count leaves nothing else).
security definer
set search_path = pg_catalog, pg_temp
as $$
    select pg_catalog.count(distinct c.thread_id) from public.checkpoints as c where c.threadguard_tenant_id is null
$$;
alter function threadguard.unowned_threads() owner to threadguard_operator;
revoke all on function threadguard.unowned_threads() from public;
grant execute on function threadguard.unowned_threads() to threadguard_admin;
comment on function threadguard.unowned_threads() is
    'Adoption (operators): how many LangGraph threads have checkpoints nobody owns yet (0 once every thread is adopted).';
set local role threadguard_owner;
