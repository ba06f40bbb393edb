CREATE TABLE instances (
    id VARCHAR(64) PRIMARY KEY,
    project_id VARCHAR(64) NOT NULL,
    name VARCHAR(64) NOT NULL,
    description VARCHAR(255) NOT NULL DEFAULT '',
    spec VARCHAR(64) NOT NULL,
    status VARCHAR(32) NOT NULL,
    charge_mode VARCHAR(32) NOT NULL,
    vpc_id VARCHAR(64) NOT NULL DEFAULT '',
    subnet_id VARCHAR(64) NOT NULL DEFAULT '',
    enterprise_project_id VARCHAR(64) NOT NULL DEFAULT '0',
    -- The (already finished) creation job the vendor API reports.
    job_id VARCHAR(64) NOT NULL,
    -- The registry this instance fronts: its token `service` name and its address.
    registry_service VARCHAR(128) NOT NULL,
    registry_address VARCHAR(255) NOT NULL,
    created_by VARCHAR(64) NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (project_id, name)
);
CREATE INDEX instances_by_project ON instances (project_id, created_at, id);

CREATE TABLE credentials (
    id VARCHAR(64) PRIMARY KEY,
    instance_id VARCHAR(64) NOT NULL REFERENCES instances(id) ON DELETE CASCADE,
    user_id VARCHAR(64) NOT NULL,
    user_name VARCHAR(64) NOT NULL,
    name VARCHAR(64) NOT NULL,
    -- long_term or temporary
    kind VARCHAR(16) NOT NULL,
    -- SHA-256 of the auth_token, hex; the token itself is never stored.
    token_digest VARCHAR(64) NOT NULL UNIQUE,
    -- What the credential may do on the instance's repositories: "pull,push" or "pull".
    access VARCHAR(32) NOT NULL,
    enabled BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    UNIQUE (instance_id, user_id, name)
);
CREATE INDEX credentials_by_instance ON credentials (instance_id, created_at, id);
CREATE INDEX credentials_by_user ON credentials (instance_id, user_id, created_at, id);
