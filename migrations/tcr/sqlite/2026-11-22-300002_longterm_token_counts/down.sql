DROP TRIGGER instance_tokens_count_update;
DROP TRIGGER instance_tokens_count_delete;
DROP TRIGGER instance_tokens_count_insert;
ALTER TABLE registries DROP COLUMN longterm_tokens;
