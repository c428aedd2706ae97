-- threadguard.checkpoint_time: the time LangGraph wrote into a checkpoint id (a uuid6,
-- whose leading bits are its creation time), to the microsecond; null for any other
-- text. Recency is read from the checkpoints with it, so that a conversation's row is
-- touched about once per 27 s of activity (touch_conversation.sql) and still listed in
-- exact order (list_conversations.sql).

create or replace function threadguard.checkpoint_time(p_checkpoint_id text)
returns timestamptz
language sql
immutable
parallel safe
as $$
    -- uuid6: time_high (8 hex), time_mid (4), version 6, time_low (3): 60 bits counting
    -- 100 ns since 1582-10-15, i.e. 12219292800 s before the Unix epoch.
    -- Only immutable operations (to_timestamp of seconds, not timestamptz + interval), so that the
    -- planner inlines the call; float8 seconds hold every microsecond exactly until 2255.
    select case
        when p_checkpoint_id operator(pg_catalog.~) '^[0-9a-f]{8}-[0-9a-f]{4}-6[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$'
        then pg_catalog.to_timestamp(cast(
            cast(cast('x0' operator(pg_catalog.||) pg_catalog.substr(p_checkpoint_id, 1, 8)
                           operator(pg_catalog.||) pg_catalog.substr(p_checkpoint_id, 10, 4)
                           operator(pg_catalog.||) pg_catalog.substr(p_checkpoint_id, 16, 3)
                      as pg_catalog.bit(64)) as pg_catalog.int8) operator(pg_catalog./) 10
            operator(pg_catalog.-) 12219292800000000 as pg_catalog.float8) operator(pg_catalog./) 1000000)
    end
$$;

revoke all on function threadguard.checkpoint_time(text) from public;
grant execute on function threadguard.checkpoint_time(text) to threadguard_app, threadguard_admin, threadguard_operator;
comment on function threadguard.checkpoint_time(text) is
    'The creation time written into a LangGraph checkpoint id (uuid6), to the microsecond; null when the id is not a uuid6. Never raises.';
