-- 0014 operator and audit: what operations across tenants run as, and their trace.
-- threadguard_operator (NOLOGIN, no members) owns the operator functions; policies
-- let it, and only it, reach every tenant's conversations, so the only way to act
-- across tenants is through those functions, which threadguard_admin may execute and
-- which append to threadguard.audit_log. Nobody can change or delete an audit row
-- through threadguard's roles, except the owner deleting rows past the retained age.
-- depends: 0013_previous_grants

do $$
begin
    if not exists (select from pg_catalog.pg_roles where rolname = 'threadguard_operator') then
        create role threadguard_operator nologin nosuperuser nocreatedb nocreaterole noreplication nobypassrls;
    else
        alter role threadguard_operator nologin nosuperuser nocreatedb nocreaterole noreplication nobypassrls;
    end if;
end
$$;
comment on role threadguard_operator is
    'threadguard: owns the operator functions (erasure, ...); policies let it reach every tenant. NOLOGIN, no members: reached only through its functions.';
grant usage on schema threadguard to threadguard_operator;

set local role threadguard_owner;
create table threadguard.audit_log (
    id bigint generated always as identity primary key,
    at timestamptz not null default pg_catalog.clock_timestamp(),
    actor name not null default session_user,
    action text not null,
    tenant_id uuid,
    user_id uuid,
    reason text,
    row_count bigint,
    detail jsonb not null default '{}'
);
create index audit_log_at_idx on threadguard.audit_log (at);
comment on table threadguard.audit_log is
    'Every operator action (erasures, ...): who, when, what, which tenant and user, why, how many rows. Append-only through threadguard''s roles.';
comment on column threadguard.audit_log.id is 'Order of the actions.';
comment on column threadguard.audit_log.at is 'When (clock time, not the transaction''s start).';
comment on column threadguard.audit_log.actor is 'The session user (the login) that acted.';
comment on column threadguard.audit_log.action is 'What was done, e.g. erase.';
comment on column threadguard.audit_log.tenant_id is 'The tenant acted on.';
comment on column threadguard.audit_log.user_id is 'The user acted on; null for the whole tenant.';
comment on column threadguard.audit_log.reason is 'Why, as the operator stated it.';
comment on column threadguard.audit_log.row_count is 'How many rows the action removed or read.';
comment on column threadguard.audit_log.detail is 'Anything else the action records.';
comment on index threadguard.audit_log_at_idx is 'Pruning by age.';
reset role;
