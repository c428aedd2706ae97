-- Sealed identity, persona by persona, on a database sealed with tests/pgtap/sealed/jwks.json
-- (tests/run.sh): rows open only to a transaction that presented a verified token; bare ids,
-- refused tokens and another tenant's token with this tenant's ids open nothing of A1's.
begin;
select plan(45);
select tests.seed_world();

-- No token at all --------------------------------------------------------------------------------
select tests.as_unset();
select is_empty('select * from threadguard.conversations', 'no token: sees no conversation');
select is_empty('select * from public.checkpoints', 'no token: sees no checkpoint');
select throws_ok('select * from threadguard.list_conversations()', '42501',
    'threadguard: this database is sealed and app.token holds no verified, unexpired token', 'no token: the API says why');

-- Bare ids (learned elsewhere, set with set_config) ---------------------------------------------
select tests.as_user('tenant_a', 'user_a1');
select is_empty('select * from threadguard.conversations', 'bare ids of A1: see no conversation');
select is_empty('select * from public.checkpoints', 'bare ids of A1: see no checkpoint');
select is_empty('select * from public.checkpoint_writes', 'bare ids of A1: see no write');
select throws_ok($$insert into threadguard.conversations (title) values ('x')$$, '42501', null,
    'bare ids of A1: cannot create a conversation');
select throws_ok(tests.insert_sql('checkpoints', tests.t('thread_a1'), 'bare'), '42501', null,
    'bare ids of A1: cannot write a checkpoint into A1''s thread');
select is_empty($$update threadguard.conversations set title = 'x' returning 1$$, 'bare ids of A1: update nothing');
select throws_ok('select * from threadguard.list_conversations()', '42501', null, 'bare ids of A1: the API refuses');

-- Refused tokens: presenting raises 28000; set straight into app.token, they open nothing ---------
select tests._become(null, null);
select throws_ok(format('select threadguard.present_token(%L)', tests.token(t.name)), '28000', null,
                 format('%s token: refused when presented', t.name))
  from unnest(array['expired', 'not_yet_valid', 'other_audience', 'other_issuer', 'forged', 'other_key']) as t(name);
select throws_ok($$select threadguard.present_token('a.b.c')$$, '28000', null, 'garbage: refused when presented');
select tests.as_user('tenant_a', 'user_a1');
do $$ begin perform set_config('app.token', tests.token('forged'), true); end $$;
select is_empty('select * from threadguard.conversations', 'forged token in app.token with A1''s ids: sees nothing');
select throws_ok(tests.insert_sql('checkpoints', tests.t('thread_a1'), 'forged'), '42501', null,
    'forged token in app.token with A1''s ids: writes nothing');

-- A1, RS256 --------------------------------------------------------------------------------------
select tests.as_token('rs_a1');
select results_eq('select id from threadguard.conversations', $$select tests.id('thread_a1')$$, 'A1 (RS256): sees its conversation only');
select results_eq('select thread_id, n from tests.row_counts(''checkpoints'')', format($$values (%L, 2::bigint)$$, tests.t('thread_a1')),
    'A1 (RS256): sees its two checkpoints, not the unowned one');
select results_eq('select thread_id from threadguard.list_conversations()', $$select tests.id('thread_a1')$$, 'A1 (RS256): the API lists its own');
select lives_ok(format($$insert into threadguard.conversations (id, title) values (%L, 'new')$$, tests.id('thread_new')),
    'A1 (RS256): creates a conversation');
select results_eq(format('select tenant_id, user_id from threadguard.conversations where id = %L', tests.id('thread_new')),
    $$select tests.id('tenant_a'), tests.id('user_a1')$$, 'A1 (RS256): stamped with the token''s tenant and user');
select lives_ok(tests.insert_sql('checkpoints', tests.t('thread_a1'), 'by-token'), 'A1 (RS256): writes a checkpoint into its thread');
select throws_ok(tests.insert_sql('checkpoints', tests.t('thread_b1'), 'into-b'), '23503', null,
    'A1 (RS256): cannot write into B1''s thread');
select is_empty(format($$delete from threadguard.conversations where id = %L returning 1$$, tests.id('thread_b1')),
    'A1 (RS256): deletes none of B1''s');

-- A2, HS256 --------------------------------------------------------------------------------------
select tests.as_token('hs_a2');
select results_eq('select id from threadguard.conversations', $$select tests.id('thread_a2')$$, 'A2 (HS256): sees its conversation only');
select is_empty(format('select * from public.checkpoints where thread_id = %L', tests.t('thread_a1')), 'A2 (HS256): sees none of A1''s checkpoints');

-- B1's token, then A1's ids set beside it: the token decides --------------------------------------
select tests.as_token('rs_b1');
do $$ begin perform set_config('app.tenant_id', tests.t('tenant_a'), true), set_config('app.user_id', tests.t('user_a1'), true); end $$;
select results_eq('select id from threadguard.conversations', $$select tests.id('thread_b1')$$,
    'B1''s token with A1''s ids: sees only B1''s conversation');
select results_eq('select tenant_id, user_id from threadguard.require_context()', $$select tests.id('tenant_b'), tests.id('user_b1')$$,
    'B1''s token with A1''s ids: the API acts as B1');
select throws_ok(format($$insert into threadguard.conversations (tenant_id, user_id, title) values (%L, %L, 'x')$$, tests.id('tenant_a'), tests.id('user_a1')),
    '42501', null, 'B1''s token with A1''s ids: cannot create a conversation for A1');
select throws_ok(tests.insert_sql('checkpoints', tests.t('thread_a1'), 'b-as-a'), '42501', null,
    'B1''s token with A1''s ids: the saver''s insert (owner from the ids) is refused');

-- The application login reaches neither the keys nor the verified tokens ----------------------------
select throws_ok('select * from threadguard.token_keys', '42501', null, 'app: cannot read the keys');
select throws_ok('select kid from threadguard.token_keys', '42501', null, 'app: cannot read even the key ids');
select throws_ok('select * from threadguard.verified_tokens', '42501', null, 'app: cannot read the verified tokens');
select throws_ok($$insert into threadguard.verified_tokens values (sha256('x'), 'pgtap-rs256', gen_random_uuid(), gen_random_uuid(), 'infinity')$$,
    '42501', null, 'app: cannot record a token as verified');
select throws_ok('update threadguard.token_settings set sealed = false', '42501', null, 'app: cannot unseal');
select throws_ok($$select * from threadguard.verify_token('a.b.c')$$, '42501', null, 'app: cannot call verify_token');
select throws_ok($$select threadguard.add_token_keys('{}')$$, '42501', null, 'app: cannot add a key');
select throws_ok($$select threadguard.remove_token_key('pgtap-hs256')$$, '42501', null, 'app: cannot remove a key');

-- A removed key revokes what it verified ------------------------------------------------------------
select tests.as_superuser();
select ok(threadguard.remove_token_key('pgtap-hs256'), 'the HS256 key is removed');
select tests._become(null, null);
do $$ begin perform set_config('app.token', tests.token('hs_a2'), true); end $$;
select is_empty('select * from threadguard.conversations', 'A2''s token, verified before: opens nothing once its key is gone');
select throws_ok(format('select threadguard.present_token(%L)', tests.token('hs_a2')), '28000', null,
    'A2''s token: refused when presented again');
select tests.as_token('rs_a1');
select isnt_empty('select * from threadguard.conversations', 'A1''s RS256 token still opens A1''s rows');

select * from finish();
rollback;
