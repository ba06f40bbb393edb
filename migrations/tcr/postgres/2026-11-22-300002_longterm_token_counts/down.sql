DROP TRIGGER instance_tokens_count_update ON instance_tokens;
DROP TRIGGER instance_tokens_count_delete ON instance_tokens;
DROP TRIGGER instance_tokens_count_insert ON instance_tokens;
DROP FUNCTION instance_tokens_count_move();
DROP FUNCTION instance_tokens_count_statement();
ALTER TABLE registries DROP COLUMN longterm_tokens;
