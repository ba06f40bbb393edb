-- Repositories live in namespaces. A namespace belongs to one registry, and its name is
-- unique among all registries that share one registry service (one registry process may
-- serve many registries): the constraint, not a read before the write, keeps it so.
-- A deleted namespace keeps its row (deleted_at set) and so its name: the registry may
-- still hold its images, which must never open to another registry that took the name.
CREATE TABLE namespaces (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    registry_id VARCHAR(64) NOT NULL,
    registry_service VARCHAR(128) NOT NULL,
    name VARCHAR(64) NOT NULL,
    public BOOLEAN NOT NULL,
    auto_scan BOOLEAN NOT NULL DEFAULT FALSE,
    prevent_vul BOOLEAN NOT NULL DEFAULT FALSE,
    -- low, medium or high; '' when not set
    severity VARCHAR(16) NOT NULL DEFAULT '',
    -- JSON: the CVE allowlist as the API takes it
    cve_whitelist TEXT NOT NULL DEFAULT '[]',
    -- JSON: the cloud tags as the API takes them
    tags TEXT NOT NULL DEFAULT '[]',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    deleted_at TIMESTAMP,
    UNIQUE (registry_service, name)
);
CREATE INDEX namespaces_by_registry ON namespaces (registry_id, name);

-- Robot accounts of a registry, for CI: they log in to the registry with their name
-- (prefixed tcr$) and password and reach only the namespaces and actions listed.
-- The login name must say which registry it belongs to, so it is unique per service.
CREATE TABLE service_accounts (
    id VARCHAR(64) PRIMARY KEY,
    registry_id VARCHAR(64) NOT NULL REFERENCES registries(id) ON DELETE CASCADE,
    registry_service VARCHAR(128) NOT NULL,
    name VARCHAR(64) NOT NULL,
    description VARCHAR(255) NOT NULL DEFAULT '',
    -- A digest of the password, tagged with its scheme; never the password itself.
    password_digest VARCHAR(255) NOT NULL,
    -- JSON: [{"Resource": namespace, "Actions": ["tcr:PullRepository", ...]}]
    permissions TEXT NOT NULL,
    disabled BOOLEAN NOT NULL,
    -- NULL: never expires
    expires_at TIMESTAMP,
    created_by VARCHAR(64) NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    -- Set when the account's registry or account lost access; a login refuses it then.
    revoked_at TIMESTAMP,
    UNIQUE (registry_service, name)
);
CREATE INDEX service_accounts_by_registry ON service_accounts (registry_id, created_at, id);
