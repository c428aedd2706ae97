-- threadguard.owns_thread: whether a thread_id belongs to a conversation of the
-- current tenant and user. Used by WITH CHECK on the checkpoint tables, so that
-- nobody writes into a thread they do not own, or into a deleted one.

create or replace function threadguard.owns_thread(p_thread_id text)
returns boolean
language sql
stable
parallel safe
as $$
    select exists (
        select 1
        from threadguard.conversations as c
        where c.id operator(pg_catalog.=) threadguard.thread_uuid(p_thread_id)
          and c.tenant_id operator(pg_catalog.=) threadguard.current_tenant_id()
          and c.user_id operator(pg_catalog.=) threadguard.current_user_id()
    )
$$;

revoke all on function threadguard.owns_thread(text) from public;
grant execute on function threadguard.owns_thread(text) to threadguard_app, threadguard_admin;
comment on function threadguard.owns_thread(text) is
    'True when p_thread_id is the id of a conversation owned by the current tenant and user. False for unowned, foreign, deleted and non-canonical thread ids, and without a context.';
