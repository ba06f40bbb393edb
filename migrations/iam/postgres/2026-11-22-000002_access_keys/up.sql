CREATE TABLE access_keys (
    access VARCHAR(20) PRIMARY KEY,
    user_id VARCHAR(64) NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    domain_id VARCHAR(64) NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    -- AES-256-GCM under the master key, AAD = access; "<key id>$<base64url>".
    sealed_secret VARCHAR(255) NOT NULL,
    status VARCHAR(16) NOT NULL,
    description VARCHAR(255) NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP
);
CREATE INDEX access_keys_user ON access_keys (user_id);
