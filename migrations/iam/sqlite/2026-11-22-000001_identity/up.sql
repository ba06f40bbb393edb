CREATE TABLE domains (
    id VARCHAR(64) PRIMARY KEY,
    name VARCHAR(64) NOT NULL UNIQUE,
    description VARCHAR(255) NOT NULL DEFAULT '',
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE projects (
    id VARCHAR(64) PRIMARY KEY,
    domain_id VARCHAR(64) NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    parent_id VARCHAR(64),
    name VARCHAR(64) NOT NULL,
    description VARCHAR(255) NOT NULL DEFAULT '',
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (domain_id, name)
);

CREATE TABLE users (
    id VARCHAR(64) PRIMARY KEY,
    domain_id VARCHAR(64) NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    name VARCHAR(64) NOT NULL,
    password_hash VARCHAR(255) NOT NULL,
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    description VARCHAR(255) NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (domain_id, name)
);

CREATE TABLE user_groups (
    id VARCHAR(64) PRIMARY KEY,
    domain_id VARCHAR(64) NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    name VARCHAR(64) NOT NULL,
    description VARCHAR(255) NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    UNIQUE (domain_id, name)
);

CREATE TABLE group_members (
    group_id VARCHAR(64) NOT NULL REFERENCES user_groups(id) ON DELETE CASCADE,
    user_id VARCHAR(64) NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members (user_id);

CREATE TABLE roles (
    id VARCHAR(64) PRIMARY KEY,
    name VARCHAR(64) NOT NULL UNIQUE,
    display_name VARCHAR(128) NOT NULL,
    description VARCHAR(255) NOT NULL
);
INSERT INTO roles (id, name, display_name, description) VALUES
    ('7a3c1f0e2b5d4e6f8a9b0c1d2e3f4a01', 'admin', 'Administrator', 'Full control of the scope, including identity and credentials of others'),
    ('7a3c1f0e2b5d4e6f8a9b0c1d2e3f4a02', 'member', 'Member', 'Create and use resources in the scope'),
    ('7a3c1f0e2b5d4e6f8a9b0c1d2e3f4a03', 'readonly', 'Read only', 'Read resources in the scope');

CREATE TABLE project_grants (
    project_id VARCHAR(64) NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    group_id VARCHAR(64) NOT NULL REFERENCES user_groups(id) ON DELETE CASCADE,
    role_id VARCHAR(64) NOT NULL REFERENCES roles(id),
    PRIMARY KEY (project_id, group_id, role_id)
);
CREATE INDEX project_grants_group ON project_grants (group_id);

CREATE TABLE domain_grants (
    domain_id VARCHAR(64) NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    group_id VARCHAR(64) NOT NULL REFERENCES user_groups(id) ON DELETE CASCADE,
    role_id VARCHAR(64) NOT NULL REFERENCES roles(id),
    PRIMARY KEY (domain_id, group_id, role_id)
);
CREATE INDEX domain_grants_group ON domain_grants (group_id);

CREATE TABLE revocation_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind VARCHAR(16) NOT NULL,
    subject VARCHAR(64) NOT NULL,
    revoked_at TIMESTAMP NOT NULL,
    relevant_until TIMESTAMP NOT NULL
);
CREATE INDEX revocation_events_relevant ON revocation_events (relevant_until);
