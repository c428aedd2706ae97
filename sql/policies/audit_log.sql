-- Protection of threadguard.audit_log (every operator action). Append-only through
-- threadguard's roles: the operator functions insert, admins read, nobody updates, and
-- the owner deletes only rows older than the retained age (90 days).

alter table threadguard.audit_log enable row level security;
alter table threadguard.audit_log force row level security;

revoke all on table threadguard.audit_log from public, threadguard_app, threadguard_admin, threadguard_operator;
grant insert on table threadguard.audit_log to threadguard_operator;
grant select on table threadguard.audit_log to threadguard_admin;

drop policy if exists audit_log_operator_insert on threadguard.audit_log;
create policy audit_log_operator_insert on threadguard.audit_log
    for insert to threadguard_operator
    with check (true);
comment on policy audit_log_operator_insert on threadguard.audit_log is
    'The operator functions append a row for every action.';

drop policy if exists audit_log_admin_select on threadguard.audit_log;
create policy audit_log_admin_select on threadguard.audit_log
    for select to threadguard_admin
    using (true);
comment on policy audit_log_admin_select on threadguard.audit_log is
    'Admins read the whole trail.';

drop policy if exists audit_log_owner_delete on threadguard.audit_log;
create policy audit_log_owner_delete on threadguard.audit_log
    for delete to threadguard_owner
    using (at operator(pg_catalog.<) (pg_catalog.now() operator(pg_catalog.-) interval '90 days'));
comment on policy audit_log_owner_delete on threadguard.audit_log is
    'The owner prunes rows older than 90 days (threadguard.prune_audit_log), never newer ones.';

drop policy if exists audit_log_owner_select on threadguard.audit_log;
create policy audit_log_owner_select on threadguard.audit_log
    for select to threadguard_owner
    using (at operator(pg_catalog.<) (pg_catalog.now() operator(pg_catalog.-) interval '90 days'));
comment on policy audit_log_owner_select on threadguard.audit_log is
    'What the owner''s pruning may see: only rows past the retained age.';

-- Every row also goes to the server log as it is inserted: a rollback cannot take that back.
drop trigger if exists audit_log_to_server_log on threadguard.audit_log;
create trigger audit_log_to_server_log
    after insert on threadguard.audit_log
    for each row execute function threadguard.audit_to_server_log();
comment on trigger audit_log_to_server_log on threadguard.audit_log is
    'Copies each audit row into the server log (RAISE LOG) when it is written, so that reads and grants whose transaction rolls back are still on record.';
