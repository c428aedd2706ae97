-- threadguard.run_maintenance: the scheduled operations in one call, for pg_cron or any
-- scheduler: retention over every conversation, then the store's TTL sweep, each batch in a
-- transaction of its own (committed as it goes, so a long run holds no lock for long and a
-- crash loses one batch). Both steps are audited by the operator functions they call.

create or replace procedure threadguard.run_maintenance(p_retention_batch integer default 500, p_sweep_batch integer default 10000)
language plpgsql
-- Invoker, not definer: a procedure that commits may not be a definer or pin settings (SET).
-- It holds no rights of its own: it calls apply_retention and sweep_store, which only
-- threadguard_admin may execute; every name is schema-qualified.
as $$
declare
    v_after uuid;     -- where the next retention batch starts (null: done)
    v_deleted bigint;
    v_remaining bigint;
begin
    if p_retention_batch is null or p_retention_batch operator(pg_catalog.<) 1
       or p_sweep_batch is null or p_sweep_batch operator(pg_catalog.<) 1 then
        raise exception 'threadguard: run_maintenance needs positive batch sizes' using errcode = 'invalid_parameter_value';
    end if;
    loop
        select r.next_after into v_after from threadguard.apply_retention(p_retention_batch, v_after, false) as r;
        commit;
        exit when v_after is null;
    end loop;
    loop
        select s.deleted, s.remaining into v_deleted, v_remaining from threadguard.sweep_store(p_sweep_batch) as s;
        commit;
        exit when v_remaining operator(pg_catalog.=) 0 or v_deleted operator(pg_catalog.=) 0;
    end loop;
end
$$;

revoke all on procedure threadguard.run_maintenance(integer, integer) from public;
grant execute on procedure threadguard.run_maintenance(integer, integer) to threadguard_admin;
comment on procedure threadguard.run_maintenance(integer, integer) is
    'Scheduled operations (operators; e.g. pg_cron: call threadguard.run_maintenance()): apply_retention over every conversation, then sweep_store until no expired item is left, committing after each batch. Needs threadguard_admin; audited by the functions it calls.';
