-- Rollback of 0014 operator and audit: the audit log and the operator role go (the
-- role is kept when another database still uses it). The operator functions and
-- policies are definitions: they go with the role's objects here.

drop table threadguard.audit_log;
do $$
begin
    execute 'drop owned by threadguard_operator';
    revoke usage on schema threadguard from threadguard_operator;
    begin
        drop role threadguard_operator;
    exception when dependent_objects_still_exist then
        raise notice 'threadguard: keeping role threadguard_operator (still used in another database of this cluster)';
    end;
end
$$;
