-- threadguard.claim_thread: the full check behind may_write_thread (read that
-- file first), taken on a session's first write to a thread in a second, after
-- any conversation was deleted, or while a deletion of this thread runs.
-- It waits for such a deletion, checks the stamps against the context and the
-- conversation with a fresh snapshot, marks the conversation's activity
-- (updated_at), and records the claim for may_write_thread.

create or replace function threadguard.claim_thread(p_thread_id text, p_tenant_id uuid, p_user_id uuid)
returns boolean
language plpgsql
volatile
-- Definer: it updates conversations.updated_at, which the application may not.
-- RLS still applies to the owner (FORCE): it reaches only the caller's rows.
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_marked boolean := false;
    v_claim text;
    v_claims text;
begin
    if p_thread_id is null or p_tenant_id is null or p_user_id is null
       or threadguard.current_tenant_id() is distinct from p_tenant_id
       or threadguard.current_user_id() is distinct from p_user_id then
        return false;
    end if;
    -- Waits while a deletion of this thread holds the lock; the statements below
    -- then see its outcome (read committed: a new snapshot per statement).
    perform pg_catalog.pg_advisory_xact_lock_shared(1952540263, pg_catalog.hashtext(p_thread_id));
    -- Mark the activity and record a claim only in read committed, and only
    -- when this transaction gets the conversation's row lock:
    --  * LangGraph's prune runs in repeatable read, where updating the row would
    --    fail with a serialization error on any concurrent activity, and a claim
    --    relies on read committed's fresh snapshots;
    --  * another transaction holding the row is a concurrent writer marking it,
    --    or a DELETE (which locks the row, then waits for the advisory lock this
    --    transaction holds: waiting for the row here would be a deadlock). The
    --    conversation may be about to go, and a claim recorded now would outlive
    --    it. The row lock, when taken, orders the claim before any deletion: that
    --    deletion advances the counter only after this transaction ends.
    if pg_catalog.current_setting('transaction_isolation') operator(pg_catalog.=) 'read committed' then
        update threadguard.conversations as c
           set updated_at = greatest(c.updated_at, pg_catalog.now())  -- GREATEST is syntax: nothing to shadow
         where c.id operator(pg_catalog.=) (
                select k.id from threadguard.conversations as k
                 where k.thread_id operator(pg_catalog.=) p_thread_id
                   and k.tenant_id operator(pg_catalog.=) p_tenant_id
                   and k.user_id operator(pg_catalog.=) p_user_id
                   for no key update skip locked);
        v_marked := found;
    end if;
    if not v_marked then
        -- Check only. This write may go on if the conversation is there (a
        -- deletion in progress waits for it and purges it).
        perform from threadguard.conversations as k
         where k.thread_id operator(pg_catalog.=) p_thread_id
           and k.tenant_id operator(pg_catalog.=) p_tenant_id
           and k.user_id operator(pg_catalog.=) p_user_id;
        return found;
    end if;

    -- The claim names the counter as it is now, read under the row lock (a
    -- deletion of this thread cannot advance it before this transaction ends).
    -- Newest first, '|claim||claim|...', at most 4,096 bytes (about 30 claims):
    -- when the next claim would not fit, the list starts over with it. The
    -- claims are a cache: what is dropped is checked in full again. Measured by
    -- octet_length, which reads the length word: cutting with left() counted
    -- 4 KB of characters one by one (~22 µs per full check, bench/ATTEMPTS.md,
    -- step 20).
    v_claim := threadguard.write_claim(p_thread_id, p_tenant_id, p_user_id);
    v_claims := coalesce(pg_catalog.current_setting('threadguard.write_claims', true), '');  -- COALESCE is syntax
    if pg_catalog.strpos(v_claims, v_claim) operator(pg_catalog.=) 0 then
        if pg_catalog.octet_length(v_claims) operator(pg_catalog.+) pg_catalog.octet_length(v_claim)
           operator(pg_catalog.>) 4096 then
            v_claims := '';
        end if;
        -- Session-level on purpose: it outlives this transaction only if it commits.
        perform pg_catalog.set_config('threadguard.write_claims', v_claim operator(pg_catalog.||) v_claims, false);
    end if;
    return true;
end
$$;

revoke all on function threadguard.claim_thread(text, uuid, uuid) from public;
-- Reached from the policies through may_write_thread, as the application.
grant execute on function threadguard.claim_thread(text, uuid, uuid) to threadguard_app;
comment on function threadguard.claim_thread(text, uuid, uuid) is
    'Full write check behind may_write_thread: waits for a concurrent deletion of the thread, requires (p_tenant_id, p_user_id) to be the current context and p_thread_id its conversation, and, in read committed when it gets the conversation''s row lock, moves its updated_at to now() and records the claim in threadguard.write_claims. False when the check fails.';
