-- Rollback of 0016 retention policies: the policies go; the functions that apply them
-- are definitions and go with them.

drop function if exists threadguard.set_retention(uuid, integer, integer, text);
drop function if exists threadguard.apply_retention(integer, uuid, boolean);
drop table threadguard.retention_policies;
