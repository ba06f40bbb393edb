DROP INDEX instance_tokens_by_expiry;
ALTER TABLE registries DROP COLUMN tags;
