-- 0015 support access: a support engineer's login (granted threadguard_support) reads
-- one tenant's conversations only inside an access it opened for that tenant, with a
-- reason and a duration; the access ends by itself, and opening it and every read made
-- under it are audited. The functions are definitions (sql/functions/support_*.sql).
-- depends: 0014_operator_and_audit

do $$
begin
    if not exists (select from pg_catalog.pg_roles where rolname = 'threadguard_support') then
        create role threadguard_support nologin nosuperuser nocreatedb nocreaterole noreplication nobypassrls;
    else
        alter role threadguard_support nologin nosuperuser nocreatedb nocreaterole noreplication nobypassrls;
    end if;
end
$$;
comment on role threadguard_support is
    'threadguard: support engineers'' group role. Reads one tenant''s conversations through the support functions, only inside an access it opened (audited). NOLOGIN.';
grant usage on schema threadguard to threadguard_support;

set local role threadguard_owner;
create table threadguard.support_access (
    id bigint generated always as identity primary key,
    actor name not null default session_user,
    tenant_id uuid not null,
    reason text not null,
    opened_at timestamptz not null default pg_catalog.clock_timestamp(),
    expires_at timestamptz not null,
    constraint support_access_duration check (expires_at > opened_at and expires_at <= opened_at + interval '8 hours')
);
create index support_access_actor_tenant_idx on threadguard.support_access (actor, tenant_id, expires_at);
comment on table threadguard.support_access is
    'Support accesses: which login may read which tenant''s conversations, why, and until when (at most 8 hours).';
comment on column threadguard.support_access.id is 'The access.';
comment on column threadguard.support_access.actor is 'The session user (the support engineer''s login) that opened it.';
comment on column threadguard.support_access.tenant_id is 'The tenant it opens.';
comment on column threadguard.support_access.reason is 'Why, as the engineer stated it (a ticket, say).';
comment on column threadguard.support_access.opened_at is 'When it was opened.';
comment on column threadguard.support_access.expires_at is 'When it ends by itself.';
comment on constraint support_access_duration on threadguard.support_access is 'An access lasts more than nothing and at most 8 hours.';
comment on index threadguard.support_access_actor_tenant_idx is 'The check every support read makes: an open access of this login for this tenant.';
reset role;
