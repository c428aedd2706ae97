-- threadguard.may_write_thread: the ownership check of every LangGraph write,
-- called by the WITH CHECK of the three checkpoint tables' insert and update
-- policies with the row's thread and owner stamps. True only when the stamps are
-- the current context and the thread is that user's conversation.
--
-- Why not an EXISTS on conversations in the policy (bench/ATTEMPTS.md): a probe
-- per written row (~26 µs) plus an activity trigger per checkpoint (~100 µs) made
-- a superstep cost ~x1.5 of the plain saver's. Instead threadguard.claim_thread checks a thread in
-- full (and marks its activity) the first time, and records the check in the
-- session setting threadguard.write_claims; this function, inlined into the
-- saver's statements, accepts a row whose claim is recorded. A claim
-- (threadguard.write_claim) names:
--   * the owner stamps (and the context must still be them),
--   * the thread,
--   * threadguard.conversation_deletions, which every conversation deletion
--     advances before it purges: any deletion makes every claim stale,
--   * the second, so that updated_at is the last activity to within a second.
-- The setting is a cache, not a credential: a session that forges a claim can
-- write rows stamped with its own context under a thread id it does not own.
-- Nobody else ever reads or changes them (every policy checks the stamps), and
-- the same session could as well have set app.tenant_id to anyone: forging the
-- cache gives nothing that setting the context does not.
--
-- Ordering against a concurrent delete: a write holds the thread's advisory
-- lock shared until its transaction ends (taken before the claim is read); the
-- deletion advances the counter, then takes the lock exclusively, so it waits
-- for the writes in flight and purges their rows; later writes see the counter
-- moved and are checked in full, with a fresh snapshot, against no conversation
-- (the counter is a sequence: read outside MVCC, so it cannot look older than
-- the deletion). pg_try_advisory_xact_lock_shared never waits: when a deletion
-- holds the lock, claim_thread waits for it instead.
--
-- SQL with a single expression, so PostgreSQL inlines it into the policy once
-- per plan: the common case is a handful of C calls, no PL/pgSQL call at all.

create or replace function threadguard.may_write_thread(p_thread_id text, p_tenant_id uuid, p_user_id uuid)
returns boolean
language sql
volatile
as $$
    select case
        when pg_catalog.pg_try_advisory_xact_lock_shared(1952540263, pg_catalog.hashtext(p_thread_id))
         and pg_catalog.current_setting('app.tenant_id', true) operator(pg_catalog.=) cast(p_tenant_id as pg_catalog.text)
         and pg_catalog.current_setting('app.user_id', true) operator(pg_catalog.=) cast(p_user_id as pg_catalog.text)
         and pg_catalog.strpos(p_thread_id, '|') operator(pg_catalog.=) 0  -- claims are '|'-delimited
         and pg_catalog.strpos(pg_catalog.current_setting('threadguard.write_claims', true),
                threadguard.write_claim(p_thread_id, p_tenant_id, p_user_id)) operator(pg_catalog.>) 0
            then true
        else threadguard.claim_thread(p_thread_id, p_tenant_id, p_user_id)
    end
$$;

revoke all on function threadguard.may_write_thread(text, uuid, uuid) from public;
-- The application's writes call it through the policies, as the application.
grant execute on function threadguard.may_write_thread(text, uuid, uuid) to threadguard_app;
comment on function threadguard.may_write_thread(text, uuid, uuid) is
    'Write check of the checkpoint tables'' policies: true when (p_tenant_id, p_user_id) is the current context and p_thread_id is that user''s conversation, checked in full by claim_thread at most once a second per session and thread while no conversation is deleted. Holds a shared lock on the thread until the end of the transaction, so a concurrent deletion purges every row it lets through.';
