-- Rollback of 0001 roles: drop the roles unless another database still uses them.
-- A role that owns or is granted anything elsewhere in the cluster is kept, with a notice.

do $$
declare
    v_role text;
begin
    foreach v_role in array array['threadguard_admin', 'threadguard_app', 'threadguard_owner'] loop
        begin
            execute format('drop role if exists %I', v_role);
        exception when dependent_objects_still_exist then
            raise notice 'threadguard: keeping role % (still used in another database of this cluster)', v_role;
        end;
    end loop;
end
$$;
