ALTER TABLE credentials DROP COLUMN disabled_by_admin;
ALTER TABLE credentials DROP COLUMN disabled_by;
