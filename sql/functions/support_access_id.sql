-- threadguard.support_access_id: the open support access of the calling login to a
-- tenant, or 42501: the one check every support read makes. An access counts only once the
-- transaction that opened it has committed: its audit row is then there for good.

reset role;  -- created as the migrating administrator, then given to threadguard_operator
create or replace function threadguard.support_access_id(p_tenant_id uuid)
returns bigint
language plpgsql
stable
set search_path = pg_catalog, pg_temp
as $$
declare
    v_access bigint;
begin
    select a.id into v_access from threadguard.support_access as a
     where a.actor operator(pg_catalog.=) session_user and a.tenant_id operator(pg_catalog.=) p_tenant_id
       and a.expires_at operator(pg_catalog.>) pg_catalog.clock_timestamp()
       and pg_catalog.pg_xact_status(a.opened_in) operator(pg_catalog.=) 'committed'
     order by a.expires_at desc limit 1;
    if v_access is null and exists (
        select from threadguard.support_access as a
         where a.actor operator(pg_catalog.=) session_user and a.tenant_id operator(pg_catalog.=) p_tenant_id
           and a.opened_in operator(pg_catalog.=) pg_catalog.pg_current_xact_id_if_assigned()) then
        raise exception 'threadguard: this support access was opened in the current transaction: commit it first'
            using errcode = 'insufficient_privilege',
                  hint = 'Reads need the access, and its audit row, committed by an earlier transaction, so that no rollback erases them.';
    end if;
    if v_access is null then
        raise exception 'threadguard: no open support access of % to this tenant', session_user
            using errcode = 'insufficient_privilege',
                  hint = 'Open one with threadguard.open_support_access(tenant_id, reason, minutes).';
    end if;
    return v_access;
end
$$;
alter function threadguard.support_access_id(uuid) owner to threadguard_operator;
revoke all on function threadguard.support_access_id(uuid) from public;
comment on function threadguard.support_access_id(uuid) is
    'The calling login''s open support access to p_tenant_id (the latest to expire, opened by a committed transaction), or 42501. Called by the support functions, as threadguard_operator; granted to nobody.';
set local role threadguard_owner;
