-- threadguard.remove_token_key: removes one key; every token it verified stops opening
-- anything at once (verified_tokens cascades). Audited.
reset role;  -- created as the migrating administrator, then given to threadguard_operator
create or replace function threadguard.remove_token_key(p_kid text)
returns boolean
language plpgsql
-- Definer: runs as threadguard_operator, the only role that writes the keys.
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    delete from threadguard.token_keys as k where k.kid operator(pg_catalog.=) p_kid;
    if not found then
        return false;
    end if;
    insert into threadguard.audit_log (action, reason, row_count, detail)
    values ('remove_token_key', 'key ' operator(pg_catalog.||) p_kid, 1, pg_catalog.jsonb_build_object('kid', p_kid));
    return true;
end
$$;
alter function threadguard.remove_token_key(text) owner to threadguard_operator;
revoke all on function threadguard.remove_token_key(text) from public;
grant execute on function threadguard.remove_token_key(text) to threadguard_admin;
comment on function threadguard.remove_token_key(text) is
    'Keys (administrators): removes key p_kid, revoking every token it verified; false when there is none. Audited.';
set local role threadguard_owner;
