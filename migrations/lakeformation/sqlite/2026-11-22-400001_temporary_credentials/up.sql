CREATE TABLE instances (
    id VARCHAR(64) PRIMARY KEY,
    project_id VARCHAR(64) NOT NULL,
    name VARCHAR(64) NOT NULL,
    description VARCHAR(255) NOT NULL DEFAULT '',
    status VARCHAR(32) NOT NULL,
    created_by VARCHAR(64) NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (project_id, name)
);
CREATE INDEX instances_by_project ON instances (project_id, created_at, id);

-- Who got which temporary key, for whom, until when. Nothing secret: the temporary SK
-- lives only inside the sealed security token the caller holds.
CREATE TABLE issuances (
    id VARCHAR(64) PRIMARY KEY,
    access VARCHAR(20) NOT NULL UNIQUE,
    instance_id VARCHAR(64) NOT NULL,
    project_id VARCHAR(64) NOT NULL,
    domain_id VARCHAR(64) NOT NULL,
    user_id VARCHAR(64) NOT NULL,
    user_names VARCHAR(2048) NOT NULL,
    groups_requested VARCHAR(2048) NOT NULL,
    roles VARCHAR(512) NOT NULL,
    issued_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    -- Set when revoked; a revoked credential is refused at once.
    revoked_at TIMESTAMP
);
CREATE INDEX issuances_by_user ON issuances (domain_id, user_id, issued_at);
