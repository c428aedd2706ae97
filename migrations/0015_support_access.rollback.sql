-- Rollback of 0015 support access: the accesses and the support role go (the role is
-- kept when another database still uses it); its functions are definitions and go with it.

drop table threadguard.support_access;
drop function if exists threadguard.open_support_access(uuid, text, integer);
drop function if exists threadguard.support_conversations(uuid, integer);
drop function if exists threadguard.support_checkpoint(uuid, uuid);
do $$
begin
    execute 'drop owned by threadguard_support';
    revoke usage on schema threadguard from threadguard_support;
    begin
        drop role threadguard_support;
    exception when dependent_objects_still_exist then
        raise notice 'threadguard: keeping role threadguard_support (still used in another database of this cluster)';
    end;
end
$$;
