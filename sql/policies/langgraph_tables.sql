-- Protection of threadguard.langgraph_tables (migration 0003's record of adopted tables).
-- Only migrations read it, as the owner role: no runtime role has a grant or a policy on it.

alter table threadguard.langgraph_tables enable row level security;
alter table threadguard.langgraph_tables force row level security;
revoke all on table threadguard.langgraph_tables from public, threadguard_app, threadguard_admin;

-- The migrations (and their rollbacks) read and write it as the owner role, which the migrating
-- administrator is lent inside each transaction: without this policy a non-superuser sees no row.
drop policy if exists langgraph_tables_owner_all on threadguard.langgraph_tables;
create policy langgraph_tables_owner_all on threadguard.langgraph_tables
    for all to threadguard_owner
    using (true)
    with check (true);
comment on policy langgraph_tables_owner_all on threadguard.langgraph_tables is
    'Migrations and rollbacks, run as (a member of) the owner role, read which tables threadguard created or adopted and who owned them.';
