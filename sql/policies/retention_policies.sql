-- Protection of threadguard.retention_policies. Only the operator functions read and
-- write it (set_retention, apply_retention); admins read it.

alter table threadguard.retention_policies enable row level security;
alter table threadguard.retention_policies force row level security;

revoke all on table threadguard.retention_policies from public, threadguard_app, threadguard_admin, threadguard_operator, threadguard_support;
grant select, insert, update, delete on table threadguard.retention_policies to threadguard_operator;
grant select on table threadguard.retention_policies to threadguard_admin;

drop policy if exists retention_policies_operator_all on threadguard.retention_policies;
create policy retention_policies_operator_all on threadguard.retention_policies
    for all to threadguard_operator
    using (true) with check (true);
comment on policy retention_policies_operator_all on threadguard.retention_policies is
    'The operator functions set and read every tenant''s policy (set_retention audits each change).';

drop policy if exists retention_policies_admin_select on threadguard.retention_policies;
create policy retention_policies_admin_select on threadguard.retention_policies
    for select to threadguard_admin
    using (true);
comment on policy retention_policies_admin_select on threadguard.retention_policies is
    'Admins read every policy.';
