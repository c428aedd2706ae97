-- 0019 audit outlives rollback: a support access opens reads only once the transaction that
-- opened it (and wrote its audit row) has committed, so no read happens under an access a
-- rollback could erase; and every audit row is also written to the server log as it is
-- inserted (trigger audit_log_to_server_log, sql/), which no rollback takes back.
-- depends: 0018_database_roles

set local role threadguard_owner;
alter table threadguard.support_access
    add column opened_in xid8 not null default pg_catalog.pg_current_xact_id();
comment on column threadguard.support_access.opened_in is
    'The transaction that opened the access: reads under it need that transaction committed (pg_xact_status), so its audit row exists for good.';
reset role;
