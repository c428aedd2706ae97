-- 0002 schema: the threadguard schema, owned by threadguard_owner.
-- PUBLIC gets nothing in it (tables get no PUBLIC privileges by default in
-- PostgreSQL), and functions threadguard_owner creates are not executable by
-- PUBLIC by default: each function file grants exactly what it needs.
-- depends: 0001_roles

create schema threadguard authorization threadguard_owner;
revoke all on schema threadguard from public;
grant usage on schema threadguard to threadguard_app, threadguard_admin;

alter default privileges for role threadguard_owner revoke execute on functions from public;

comment on schema threadguard is
    'threadguard: conversation ownership, the tenant context functions and the SQL API. See README.md.';
