-- threadguard.write_claim: the text of a claim, as claim_thread records it in
-- threadguard.write_claims and may_write_thread looks it up (read may_write_thread
-- first). One definition, so that the two can never disagree on what a claim is:
-- the owner stamps, the thread, the deletion counter as it is now, the second.
-- Delimited by '|', which no canonical thread id contains. SQL with a single
-- expression: inlined where it is used, it costs what the expression costs.

create or replace function threadguard.write_claim(p_thread_id text, p_tenant_id uuid, p_user_id uuid)
returns text
language sql
volatile  -- reads a sequence, which no snapshot freezes
as $$
    select pg_catalog.concat('|', p_tenant_id, ' ', p_user_id, ' ', p_thread_id, ' ',
        pg_catalog.pg_sequence_last_value('threadguard.conversation_deletions'::pg_catalog.regclass), ' ',
        pg_catalog.floor(pg_catalog.date_part('epoch', pg_catalog.now())), '|')
$$;

revoke all on function threadguard.write_claim(text, uuid, uuid) from public;
-- Inlined into the application's writes through may_write_thread, as the application.
grant execute on function threadguard.write_claim(text, uuid, uuid) to threadguard_app;
comment on function threadguard.write_claim(text, uuid, uuid) is
    'The claim that a write of (p_tenant_id, p_user_id) into p_thread_id was checked in full: stamps, thread, threadguard.conversation_deletions and the current second, ''|''-delimited. What claim_thread records in threadguard.write_claims and may_write_thread looks for.';
