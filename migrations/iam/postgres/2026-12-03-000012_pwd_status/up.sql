-- Huawei's "must change the password" flag (KeystoneUserResult.pwd_status): set by an admin,
-- cleared by the user's own password change. Existing users keep what they were shown.
ALTER TABLE users ADD COLUMN pwd_status BOOLEAN NOT NULL DEFAULT TRUE;
