-- When the token was revoked because its user lost access to the account (disabled or
-- deleted, or the account disabled): iam-svc's revocation feed sets it, the enable and
-- disable of ModifyInstanceToken never touch it, and a registry login refuses the token
-- once it is set.
ALTER TABLE instance_tokens ADD COLUMN revoked_at TIMESTAMP;
-- The feed revokes a user's tokens created before a cutoff.
CREATE INDEX instance_tokens_by_user ON instance_tokens (user_id, created_at);
