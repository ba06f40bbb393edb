-- Repositories live in namespaces (`<namespace>/<repository>`). A namespace belongs to one
-- instance, and its name is unique among all instances that share one registry service
-- (every instance of a deployment fronts the configured registry): the constraint, not a
-- read before the write, keeps it so under concurrent creates.
-- A deleted namespace keeps its row (deleted_at set) and so its name: the registry may
-- still hold its images, which must never open to another instance that took the name.
-- Only the instance that owned it may create it again, which clears deleted_at.
-- No foreign key to instances: a deleted instance's namespaces stay as tombstones.
CREATE TABLE namespaces (
    id BIGSERIAL PRIMARY KEY,
    instance_id VARCHAR(64) NOT NULL,
    registry_service VARCHAR(128) NOT NULL,
    name VARCHAR(64) NOT NULL,
    public BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    deleted_at TIMESTAMP,
    UNIQUE (registry_service, name)
);
-- An instance's namespaces, by name: the API's lookups and its list.
CREATE INDEX namespaces_by_instance ON namespaces (instance_id, name);
