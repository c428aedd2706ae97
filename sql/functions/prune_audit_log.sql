-- threadguard.prune_audit_log: deletes audit rows older than p_older_than, never any
-- younger than 90 days (the policy on threadguard.audit_log enforces it too).

create or replace function threadguard.prune_audit_log(p_older_than interval default interval '1 year')
returns bigint
language plpgsql
-- Definer: runs as threadguard_owner, the only role with a delete policy on the log.
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_n bigint;
begin
    if p_older_than is null or p_older_than operator(pg_catalog.<) interval '90 days' then
        raise exception 'threadguard: audit rows are kept at least 90 days (got %)', coalesce(p_older_than::text, 'null')
            using errcode = 'invalid_parameter_value';
    end if;
    delete from threadguard.audit_log as a where a.at operator(pg_catalog.<) (pg_catalog.now() operator(pg_catalog.-) p_older_than);
    get diagnostics v_n = row_count;
    return v_n;
end
$$;

revoke all on function threadguard.prune_audit_log(interval) from public;
comment on function threadguard.prune_audit_log(interval) is
    'Deletes audit rows older than p_older_than (at least 90 days); returns how many. For the DBA (a superuser): no role is granted it.';
