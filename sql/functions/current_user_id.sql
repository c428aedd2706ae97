-- threadguard.current_user_id: the user of the current connection, from app.user_id.
-- Every policy and API function reads the user through this, never current_setting.

create or replace function threadguard.current_user_id()
returns uuid
language plpgsql
stable
parallel safe
as $$
begin
    return threadguard.context_uuid('app.user_id');
end
$$;

revoke all on function threadguard.current_user_id() from public;
grant execute on function threadguard.current_user_id() to threadguard_app, threadguard_admin;
comment on function threadguard.current_user_id() is
    'User of the current connection (setting app.user_id), or null when it is unset, empty or not a uuid. Policies call it inside one (select ...) sublink, so it runs once per statement as an InitPlan.';
