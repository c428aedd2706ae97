-- Protection of threadguard.verified_tokens (which tokens were checked, for whom, until
-- when): written only by the owner role's present_token, read only by authenticated_identity;
-- what a sealed database trusts, so no application role reaches it.

alter table threadguard.verified_tokens enable row level security;
alter table threadguard.verified_tokens force row level security;
revoke all on table threadguard.verified_tokens from public, threadguard_app, threadguard_admin, threadguard_operator, threadguard_support;
grant delete on table threadguard.verified_tokens to threadguard_operator;

drop policy if exists verified_tokens_owner_all on threadguard.verified_tokens;
create policy verified_tokens_owner_all on threadguard.verified_tokens
    for all to threadguard_owner
    using (true) with check (true);
comment on policy verified_tokens_owner_all on threadguard.verified_tokens is
    'present_token records a token it verified and prunes expired ones; authenticated_identity reads them.';

drop policy if exists verified_tokens_operator_delete on threadguard.verified_tokens;
create policy verified_tokens_operator_delete on threadguard.verified_tokens
    for delete to threadguard_operator
    using (true);
comment on policy verified_tokens_operator_delete on threadguard.verified_tokens is
    'configure_tokens forgets every verified token when the rules change.';
