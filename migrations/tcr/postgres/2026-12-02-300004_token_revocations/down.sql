DROP INDEX instance_tokens_by_user;
ALTER TABLE instance_tokens DROP COLUMN revoked_at;
