-- Protection of threadguard.support_access (support engineers' accesses to a tenant).
-- Only the operator functions write it (open_support_access) and read it (every
-- support read checks it); admins read it to review.

alter table threadguard.support_access enable row level security;
alter table threadguard.support_access force row level security;

revoke all on table threadguard.support_access from public, threadguard_app, threadguard_admin, threadguard_operator, threadguard_support;
grant select, insert on table threadguard.support_access to threadguard_operator;
grant select on table threadguard.support_access to threadguard_admin;

drop policy if exists support_access_operator_select on threadguard.support_access;
create policy support_access_operator_select on threadguard.support_access
    for select to threadguard_operator
    using (true);
comment on policy support_access_operator_select on threadguard.support_access is
    'The support functions check the caller''s open accesses.';

drop policy if exists support_access_operator_insert on threadguard.support_access;
create policy support_access_operator_insert on threadguard.support_access
    for insert to threadguard_operator
    with check (actor operator(pg_catalog.=) session_user);
comment on policy support_access_operator_insert on threadguard.support_access is
    'open_support_access records an access for the login that opens it, never for another.';

drop policy if exists support_access_admin_select on threadguard.support_access;
create policy support_access_admin_select on threadguard.support_access
    for select to threadguard_admin
    using (true);
comment on policy support_access_admin_select on threadguard.support_access is
    'Admins review every access.';
