-- Who disabled a credential, and whether they held the project's admin role then: the
-- owner may undo their own disable, but only an admin undoes an admin's.
ALTER TABLE credentials ADD COLUMN disabled_by VARCHAR(64);
ALTER TABLE credentials ADD COLUMN disabled_by_admin BOOLEAN NOT NULL DEFAULT FALSE;

-- Who disabled the credentials already disabled is unknown: treat it as an admin, so an
-- upgrade cannot let an owner undo an admin's disable.
UPDATE credentials SET disabled_by_admin = TRUE WHERE enabled = FALSE;
