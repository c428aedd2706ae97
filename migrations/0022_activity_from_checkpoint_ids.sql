-- 0022 activity from checkpoint ids: conversations.updated_at is no longer moved by
-- every checkpoint, only by the first of each ~27 s (touch_conversation.sql); the
-- exact activity is read from the latest checkpoint id (list_conversations.sql). The
-- definitions in sql/ carry the change; the column's description follows it here.
-- depends: 0021_sealed_identity

set local role threadguard_owner;
comment on column threadguard.conversations.updated_at is
    'Activity, as stored: creation, or the time in the id of the first checkpoint of the latest ~27 s of writes to the thread (maintained by a trigger on public.checkpoints; lags the latest checkpoint by under 27 s). list_conversations, search_conversations and get_conversation return the exact activity.';
reset role;
