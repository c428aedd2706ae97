-- threadguard.audit_to_server_log: the trigger that copies every audit row into the server log
-- (RAISE LOG) the moment it is inserted. A table row goes with a rollback; a log line does not,
-- and no login below a superuser can silence it (log_min_messages is superuser-only).

create or replace function threadguard.audit_to_server_log()
returns trigger
language plpgsql
-- Invoker: it only writes to the server log, as whoever inserted the audit row.
set search_path = pg_catalog, pg_temp
as $$
begin
    raise log 'threadguard audit: %', pg_catalog.jsonb_build_object(
        'database', pg_catalog.current_database(), 'id', new.id, 'at', new.at, 'actor', new.actor, 'action', new.action,
        'tenant_id', new.tenant_id, 'user_id', new.user_id, 'reason', new.reason, 'row_count', new.row_count,
        'detail', new.detail, 'transaction', pg_catalog.pg_current_xact_id()::text);
    return null;
end
$$;
revoke all on function threadguard.audit_to_server_log() from public;
comment on function threadguard.audit_to_server_log() is
    'Trigger of threadguard.audit_log: writes each new audit row to the server log as "threadguard audit: {json}" (with its transaction id), where a rollback cannot take it back.';
