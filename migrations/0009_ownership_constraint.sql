-- 0009 ownership constraint: a checkpoint, blob or write row may exist only in a
-- thread whose conversation belongs to the row's owner stamps, by a composite
-- foreign key to conversations (thread_id, tenant_id, user_id) ON DELETE CASCADE.
-- It replaces the write claims of 0007 (session settings the application could
-- forge), the deletion counter, the advisory-lock protocol and the purge trigger,
-- and the context markers threadguard.bound_*: identity is now per transaction.
-- The keys are added NOT VALID (checked for every new row at once, existing rows
-- are validated by 0010 under a lock that lets the saver run); the write policies
-- are rewritten here, in the same transaction, so writes are never refused or
-- unchecked in between. All locks below are brief: nothing scans a large table.
-- depends: 0008_require_context_returns_identity

-- What the foreign keys refer to. thread_id is the text form of the primary key,
-- so this triple is unique too; it replaces 0006's index on thread_id alone.
create unique index conversations_thread_owner_key
    on threadguard.conversations (thread_id, tenant_id, user_id);
alter index threadguard.conversations_thread_owner_key owner to threadguard_owner;
comment on index threadguard.conversations_thread_owner_key is
    'What the checkpoint tables'' owner foreign keys refer to: a thread and the tenant and user that own it.';

-- The write policies stop calling may_write_thread: the stamps must be the
-- context, and the foreign keys below check the thread. (On a fresh install the
-- policies do not exist yet: sql/policies creates them after the last migration.)
do $$
declare
    v_policy record;
begin
    for v_policy in
        select p.tablename, p.policyname, p.cmd from pg_catalog.pg_policies as p
        where p.schemaname = 'public' and p.tablename in ('checkpoints', 'checkpoint_blobs', 'checkpoint_writes')
          and p.cmd in ('INSERT', 'UPDATE')
    loop
        execute pg_catalog.format(
            'alter policy %I on public.%I with check ((threadguard_tenant_id, threadguard_user_id)'
            ' operator(pg_catalog.=) (select c.tenant_id, c.user_id from threadguard.context as c))',
            v_policy.policyname, v_policy.tablename);
    end loop;
end
$$;

alter table public.checkpoints
    add constraint checkpoints_thread_owner_fkey
    foreign key (thread_id, threadguard_tenant_id, threadguard_user_id)
    references threadguard.conversations (thread_id, tenant_id, user_id)
    on delete cascade not valid;
alter table public.checkpoint_blobs
    add constraint checkpoint_blobs_thread_owner_fkey
    foreign key (thread_id, threadguard_tenant_id, threadguard_user_id)
    references threadguard.conversations (thread_id, tenant_id, user_id)
    on delete cascade not valid;
alter table public.checkpoint_writes
    add constraint checkpoint_writes_thread_owner_fkey
    foreign key (thread_id, threadguard_tenant_id, threadguard_user_id)
    references threadguard.conversations (thread_id, tenant_id, user_id)
    on delete cascade not valid;
comment on constraint checkpoints_thread_owner_fkey on public.checkpoints is
    'threadguard: a checkpoint lives only in a thread whose conversation belongs to its owner stamps, and goes when the conversation is deleted. Rows with no owner (written before adoption) are not checked.';
comment on constraint checkpoint_blobs_thread_owner_fkey on public.checkpoint_blobs is
    'threadguard: a blob lives only in a thread whose conversation belongs to its owner stamps, and goes when the conversation is deleted. Rows with no owner (written before adoption) are not checked.';
comment on constraint checkpoint_writes_thread_owner_fkey on public.checkpoint_writes is
    'threadguard: a pending write lives only in a thread whose conversation belongs to its owner stamps, and goes when the conversation is deleted. Rows with no owner (written before adoption) are not checked.';

-- What the keys replace.
drop trigger if exists conversations_purge_checkpoints on threadguard.conversations;
drop function if exists threadguard.purge_conversation_checkpoints();
drop function if exists threadguard.may_write_thread(text, uuid, uuid);
drop function if exists threadguard.claim_thread(text, uuid, uuid);
drop function if exists threadguard.write_claim(text, uuid, uuid);
drop sequence threadguard.conversation_deletions;
drop index threadguard.conversations_thread_id_key;

-- The context no longer trusts the threadguard.bound_* markers: one plain SQL check
-- of app.tenant_id / app.user_id. Where the old definitions exist, they are
-- replaced by the new ones (sql/functions/current_*_id.sql, context_view.sql) so
-- that context_uuid, which they called, can go.
do $$
declare
    v_check constant text :=
        'case when pg_catalog.length(%1$s) operator(pg_catalog.=) 36'
        ' and pg_catalog.translate(%1$s, ''0123456789abcdefABCDEF'', '''') operator(pg_catalog.=) ''----'''
        ' and pg_catalog.substr(%1$s, 9, 1) operator(pg_catalog.=) ''-'''
        ' and pg_catalog.substr(%1$s, 14, 1) operator(pg_catalog.=) ''-'''
        ' and pg_catalog.substr(%1$s, 19, 1) operator(pg_catalog.=) ''-'''
        ' and pg_catalog.substr(%1$s, 24, 1) operator(pg_catalog.=) ''-'''
        ' and %1$s operator(pg_catalog.<>) ''00000000-0000-0000-0000-000000000000'''
        ' then cast(%1$s as pg_catalog.uuid) end';
begin
    if pg_catalog.to_regprocedure('threadguard.context_uuid(text)') is null then
        return;
    end if;
    set local role threadguard_owner;
    execute pg_catalog.format(
        'create or replace function threadguard.current_tenant_id() returns uuid language sql stable parallel safe as $f$ select %s $f$',
        pg_catalog.format(v_check, 'pg_catalog.current_setting(''app.tenant_id'', true)'));
    execute pg_catalog.format(
        'create or replace function threadguard.current_user_id() returns uuid language sql stable parallel safe as $f$ select %s $f$',
        pg_catalog.format(v_check, 'pg_catalog.current_setting(''app.user_id'', true)'));
    execute pg_catalog.format(
        'create or replace view threadguard.context with (security_invoker = true) as select %s as tenant_id, %s as user_id'
        ' from (select pg_catalog.current_setting(''app.tenant_id'', true) as t, pg_catalog.current_setting(''app.user_id'', true) as u) as s',
        pg_catalog.format(v_check, 's.t'), pg_catalog.format(v_check, 's.u'));
    drop function threadguard.context_uuid(text);
    reset role;
end
$$;
