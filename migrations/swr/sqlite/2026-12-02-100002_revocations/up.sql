-- Set when iam-svc's revocation feed says the credential's user or project is gone
-- (user disabled or deleted, domain disabled, project deleted). Kept apart from
-- `enabled`: no API call clears it, and registry login refuses the row for good. (An
-- instance of a deleted project gets the status `Revoked`: none of its credentials log
-- in, whenever made.)
ALTER TABLE credentials ADD COLUMN revoked_at TIMESTAMP;
-- A user's credentials across instances, for the revocation of a user.
CREATE INDEX credentials_by_owner ON credentials (user_id, created_at);
