ALTER TABLE instance_tokens DROP COLUMN disabled_by_admin;
ALTER TABLE instance_tokens DROP COLUMN disabled_by;
