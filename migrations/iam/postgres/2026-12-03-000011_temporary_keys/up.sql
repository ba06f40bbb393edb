-- Temporary access keys issued by POST /v3.0/OS-CREDENTIAL/securitytokens: the issuance
-- record only (no secret, no token; both live sealed in the token the caller holds).
-- A key is alive while its row is, its user and domain are enabled and its user still
-- holds a role it was issued with on its project; deleting the user or the project
-- deletes the row.
CREATE TABLE temporary_keys (
    access VARCHAR(64) PRIMARY KEY,
    token_id VARCHAR(64) NOT NULL,
    user_id VARCHAR(64) NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    domain_id VARCHAR(64) NOT NULL,
    project_id VARCHAR(64) NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    issued_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX temporary_keys_by_expiry ON temporary_keys (expires_at);
CREATE INDEX temporary_keys_by_user ON temporary_keys (user_id);
CREATE INDEX temporary_keys_by_project ON temporary_keys (project_id);
