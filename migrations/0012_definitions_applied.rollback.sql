-- Rollback of 0012 definitions applied: the record goes; migrate then re-applies the
-- definitions on every run, as before 0012.

drop table threadguard.definitions_applied;
