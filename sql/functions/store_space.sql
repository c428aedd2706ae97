-- threadguard.store_space: the two ranges of store prefixes the current identity may use,
-- from threadguard.context: its own (tenant_id.user_id.*) and its tenant's shared one
-- (tenant_id.shared.*). Each range is [from, to) in byte order (collate "C"), so the
-- policies on public.store compare with it through store_owner_idx.

create or replace view threadguard.store_space as
select
    c.tenant_id::text || '.' || c.user_id::text || '.' as own_from,
    c.tenant_id::text || '.' || c.user_id::text || '/' as own_to,
    c.tenant_id::text || '.shared.' as shared_from,
    c.tenant_id::text || '.shared/' as shared_to
from threadguard.context as c;
-- Invoker rights (nothing to read as the owner: it reads only settings); PostgreSQL 14 has no such option.
do $$
begin
    if pg_catalog.current_setting('server_version_num')::integer >= 150000 then
        alter view threadguard.store_space set (security_invoker = true);
    end if;
end
$$;

revoke all on table threadguard.store_space from public;
grant select on table threadguard.store_space to threadguard_app;
comment on view threadguard.store_space is
    'One row: the store prefixes the current identity may read and write, as byte-order ranges [from, to): its own namespaces (tenant_id, user_id, ...) and its tenant''s shared ones (tenant_id, ''shared'', ...). All null without a valid context.';
comment on column threadguard.store_space.own_from is 'Lowest prefix of the caller''s own namespaces: ''<tenant_id>.<user_id>.''.';
comment on column threadguard.store_space.own_to is 'First prefix past them: ''<tenant_id>.<user_id>/'' (''/'' follows ''.'').';
comment on column threadguard.store_space.shared_from is 'Lowest prefix of the tenant''s shared namespaces: ''<tenant_id>.shared.''.';
comment on column threadguard.store_space.shared_to is 'First prefix past them: ''<tenant_id>.shared/''.';
