-- Protection of threadguard.langgraph_tables (migration 0003's record of adopted tables).
-- Only migrations read it: RLS on with no policy and no grants, so no runtime role sees a row.

alter table threadguard.langgraph_tables enable row level security;
alter table threadguard.langgraph_tables force row level security;
revoke all on table threadguard.langgraph_tables from public, threadguard_app, threadguard_admin;
