-- Who disabled a long-term token, and whether they held the account's admin role then:
-- the owner may undo their own disable, but only an admin undoes an admin's.
ALTER TABLE instance_tokens ADD COLUMN disabled_by VARCHAR(64);
ALTER TABLE instance_tokens ADD COLUMN disabled_by_admin BOOLEAN NOT NULL DEFAULT FALSE;

-- Who disabled the tokens already disabled is unknown: treat it as an admin, so an
-- upgrade cannot let an owner undo an admin's disable.
UPDATE instance_tokens SET disabled_by_admin = TRUE WHERE enabled = FALSE;
