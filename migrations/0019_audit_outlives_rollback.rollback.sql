-- Rollback of 0019 audit outlives rollback: accesses no longer record their transaction;
-- the server-log trigger goes with the definitions of this release.

set local role threadguard_owner;
drop trigger if exists audit_log_to_server_log on threadguard.audit_log;
drop function if exists threadguard.audit_to_server_log();
alter table threadguard.support_access drop column opened_in;
reset role;
