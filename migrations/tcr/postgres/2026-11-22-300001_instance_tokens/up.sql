CREATE TABLE registries (
    id VARCHAR(64) PRIMARY KEY,
    -- Registries belong to an account: the iam-svc domain of the access key that made it.
    domain_id VARCHAR(64) NOT NULL,
    name VARCHAR(64) NOT NULL,
    registry_type VARCHAR(32) NOT NULL,
    region VARCHAR(64) NOT NULL,
    status VARCHAR(32) NOT NULL,
    -- The registry this record fronts: its token `service` name and its address.
    registry_service VARCHAR(128) NOT NULL,
    registry_address VARCHAR(255) NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (domain_id, name)
);
CREATE INDEX registries_by_domain ON registries (domain_id, created_at, id);

CREATE TABLE instance_tokens (
    id VARCHAR(64) PRIMARY KEY,
    registry_id VARCHAR(64) NOT NULL REFERENCES registries(id) ON DELETE CASCADE,
    user_id VARCHAR(64) NOT NULL,
    -- temp or longterm
    kind VARCHAR(16) NOT NULL,
    -- SHA-256 of the token, hex; the token itself is never stored.
    token_digest VARCHAR(64) NOT NULL UNIQUE,
    description VARCHAR(255) NOT NULL DEFAULT '',
    -- "pull,push" or "pull"
    access VARCHAR(32) NOT NULL,
    enabled BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX instance_tokens_by_registry ON instance_tokens (registry_id, kind, created_at, id);
