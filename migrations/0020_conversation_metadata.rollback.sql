-- Rollback of 0020 conversation metadata: the column goes, with the functions of this
-- release that read or write it.

set local role threadguard_owner;
drop function if exists threadguard.search_conversations(text, jsonb, integer, timestamptz, uuid);
drop function if exists threadguard.set_conversation_metadata(uuid, jsonb);
alter table threadguard.conversations drop column metadata;
reset role;
