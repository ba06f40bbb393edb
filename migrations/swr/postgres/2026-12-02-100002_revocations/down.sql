DROP INDEX credentials_by_owner;
ALTER TABLE credentials DROP COLUMN revoked_at;
