-- The write check (threadguard.may_write_thread / claim_thread): a thread is
-- checked in full once, marking the conversation's activity, and the check is
-- remembered for the session; the memory never lets anyone else write, never
-- outlives a conversation deletion, and never covers rows stamped for someone
-- else. (now() is fixed inside this test's transaction: one "second" throughout.)
begin;
select plan(24);
select tests.seed_world();

create function pg_temp.age_activity() returns void language sql as $$
    update threadguard.conversations set updated_at = '2000-01-01 00:00:00+00'
$$;
create function pg_temp.activity(p_thread text) returns timestamptz language sql as $$
    select updated_at from threadguard.conversations where id = tests.id(p_thread)
$$;

-- First write: the full check, which marks the activity and records a claim.
select tests.as_superuser();
select pg_temp.age_activity();
select tests.as_bound_user('tenant_a', 'user_a1');
select lives_ok(tests.insert_sql('checkpoints', tests.t('thread_a1'), 'w1'), 'A1: first write into its thread');
select matches(current_setting('threadguard.write_claims'), tests.t('thread_a1'), 'A1: the session holds a claim on the thread');
select tests.as_superuser();
select is(pg_temp.activity('thread_a1'), now(), 'the first write moved the conversation''s updated_at to now()');
select is(pg_temp.activity('thread_a2'), '2000-01-01 00:00:00+00'::timestamptz, 'and no other conversation''s');

-- Later writes in the same second rely on the claim (activity is not marked again).
select pg_temp.age_activity();
select tests.as_bound_user('tenant_a', 'user_a1');
select lives_ok(tests.insert_sql('checkpoint_blobs', tests.t('thread_a1'), 'w2'), 'A1: a second write, on its claim');
select tests.as_superuser();
select is(pg_temp.activity('thread_a1'), '2000-01-01 00:00:00+00'::timestamptz, 'a claimed write does not check (or mark) again');

-- The claim is A1's alone.
select tests.as_bound_user('tenant_a', 'user_a2');
select throws_ok(tests.insert_sql('checkpoint_writes', tests.t('thread_a1'), 'w3'), '42501', null,
    'A2, in the same session: A1''s claim does not let it write into A1''s thread');
select throws_ok(format($$insert into public.checkpoint_writes (thread_id, checkpoint_id, task_id, idx, channel, type, blob, threadguard_tenant_id, threadguard_user_id)
                          values (%L, 'w3b', 't', 0, 'messages', 'msgpack', '\x00', %L, %L)$$,
                        tests.t('thread_a1'), tests.id('tenant_a'), tests.id('user_a1')),
    '42501', null, 'A2: nor does stamping the row as A1 (the stamps must be the current context)');
select tests.as_bound_user('tenant_a', 'user_a1');
select throws_ok(format($$insert into public.checkpoint_writes (thread_id, checkpoint_id, task_id, idx, channel, type, blob, threadguard_tenant_id, threadguard_user_id)
                          values (%L, 'w4', 't', 0, 'messages', 'msgpack', '\x00', %L, %L)$$,
                        tests.t('thread_a1'), tests.id('tenant_a'), tests.id('user_a2')),
    '42501', null, 'A1: a row stamped for A2 is refused in A1''s claimed thread');

-- The claims are bounded to 4,096 bytes, newest first: when the next claim would
-- not fit, the list starts over with it. A session that wrote into many threads
-- keeps its recent claims, and the list only ever holds whole claims (a claim cut
-- in two, which could only be set by hand, never matches).
select lives_ok($t$
    do $d$
    declare
        v_id uuid;
    begin
        for i in 1..40 loop
            select thread_id into v_id from threadguard.create_conversation('claims ' || i);
            execute tests.insert_sql('checkpoints', v_id::text, 'c' || i);
        end loop;
    end
    $d$ $t$, 'A1 writes into 40 new threads of its own');
select cmp_ok(octet_length(current_setting('threadguard.write_claims')), '<=', 4096, 'the claims stay within 4,096 bytes');
select ok(current_setting('threadguard.write_claims') ~ '^(\|[^|]+\|)+$', 'the list holds whole claims only');
select matches(current_setting('threadguard.write_claims'),
    (select id::text from threadguard.conversations where title = 'claims 40'), 'the newest thread''s claim is kept');
select doesnt_match(current_setting('threadguard.write_claims'),
    (select id::text from threadguard.conversations where title = 'claims 1'), 'the oldest one has been dropped');
select tests.as_superuser();
select pg_temp.age_activity();
select tests.as_bound_user('tenant_a', 'user_a1');
select set_config('threadguard.write_claims',
    rtrim(threadguard.write_claim(tests.t('thread_a1'), tests.id('tenant_a'), tests.id('user_a1')), '|'), true);
select lives_ok(tests.insert_sql('checkpoints', tests.t('thread_a1'), 'w-cut'), 'A1: writes with only a cut claim on its thread');
select tests.as_superuser();
select is(pg_temp.activity('thread_a1'), now(), 'a claim cut in two did not count: that write was checked in full');

-- Any conversation deletion makes every claim stale: the next write is checked in full.
select tests.as_bound_user('tenant_b', 'user_b1');
select ok(threadguard.delete_conversation(tests.id('thread_b1')), 'B1 deletes its conversation');
select tests.as_bound_user('tenant_a', 'user_a1');
select lives_ok(tests.insert_sql('checkpoints', tests.t('thread_a1'), 'w5'), 'A1: writes after a deletion elsewhere');
select tests.as_superuser();
select is(pg_temp.activity('thread_a1'), now(), 'that write was checked in full again (it marked the activity)');

-- A deleted conversation refuses writes at once, claim or not.
select tests.as_bound_user('tenant_a', 'user_a1');
select lives_ok(tests.insert_sql('checkpoint_blobs', tests.t('thread_a1'), 'w6'), 'A1: writes on its (fresh) claim');
select ok(threadguard.delete_conversation(tests.id('thread_a1')), 'A1 deletes the conversation');
select throws_ok(tests.insert_sql('checkpoint_blobs', tests.t('thread_a1'), 'w7'), '42501', null,
    'A1: the claim died with the conversation: the next write is refused');
select throws_ok(tests.upsert_sql('checkpoints', tests.t('thread_a1'), 'w1'), '42501', null,
    'A1: an upsert into the deleted thread is refused too');
select tests.as_superuser();
select is((select count(*) from public.checkpoints where thread_id = tests.t('thread_a1'))
        + (select count(*) from public.checkpoint_blobs where thread_id = tests.t('thread_a1'))
        + (select count(*) from public.checkpoint_writes where thread_id = tests.t('thread_a1')), 1::bigint,
    'the deletion purged every row A1 owned in the thread (only the unowned pre-adoption row is left)');

select * from finish();
rollback;
