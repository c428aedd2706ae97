-- threadguard.checkpoint_time: the time LangGraph wrote into a checkpoint id (a uuid6,
-- whose leading bits are its creation time), to the microsecond; null for any text
-- not shaped as one (36 bytes, version 6, lower-case hex time fields). Recency is read from the checkpoints with it, so that a conversation's row is
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
    -- Checked without a regular expression (2.5 µs a call against 4.6, and list_conversations makes
    -- one per candidate): 36 bytes, version 6, and the 15 digits decoded lower-case hex, so that
    -- the cast below never raises.
    select case
        when pg_catalog.octet_length(p_checkpoint_id) operator(pg_catalog.=) 36
         and pg_catalog.substr(p_checkpoint_id, 15, 1) operator(pg_catalog.=) '6'
         and pg_catalog.btrim(pg_catalog.substr(p_checkpoint_id, 1, 8)
                              operator(pg_catalog.||) pg_catalog.substr(p_checkpoint_id, 10, 4)
                              operator(pg_catalog.||) pg_catalog.substr(p_checkpoint_id, 16, 3),
                              '0123456789abcdef') operator(pg_catalog.=) ''
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
    'The creation time written into a LangGraph checkpoint id (uuid6), to the microsecond; null when the id is not shaped as one (36 bytes, version digit 6, lower-case hex time fields). Never raises.';
