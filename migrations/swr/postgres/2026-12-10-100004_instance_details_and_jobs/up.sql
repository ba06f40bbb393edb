-- When the instance last changed (its registry moved, say); its creation time until then.
ALTER TABLE instances ADD COLUMN updated_at TIMESTAMP NOT NULL DEFAULT '1970-01-01 00:00:00';
UPDATE instances SET updated_at = created_at;

-- The resource tags given at an instance's creation, in the order given.
CREATE TABLE instance_tags (
    instance_id VARCHAR(64) NOT NULL REFERENCES instances(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    tag_key VARCHAR(128) NOT NULL,
    tag_value VARCHAR(255) NOT NULL,
    PRIMARY KEY (instance_id, position),
    UNIQUE (instance_id, tag_key)
);

-- What the API did to an instance and how it ended: its creation (the job id the create
-- answers) and its deletion. No foreign key to instances: a job outlives its instance
-- until the user deletes the job.
CREATE TABLE jobs (
    id VARCHAR(64) PRIMARY KEY,
    project_id VARCHAR(64) NOT NULL,
    instance_id VARCHAR(64) NOT NULL,
    -- CreateInstance or DeleteInstance
    kind VARCHAR(32) NOT NULL,
    -- Success: a job that could not finish rolls back with its request
    status VARCHAR(32) NOT NULL,
    reason VARCHAR(255) NOT NULL DEFAULT '',
    resource_name VARCHAR(64) NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- A project's jobs, in the list's order.
CREATE INDEX jobs_by_project ON jobs (project_id, created_at, id);

-- Every instance already made was created by the job its row names; the job is a record
-- of its own from now on.
INSERT INTO jobs (id, project_id, instance_id, kind, status, reason, resource_name, created_at, updated_at)
SELECT job_id, project_id, id, 'CreateInstance', 'Success', '', name, created_at, created_at
FROM instances;
ALTER TABLE instances DROP COLUMN job_id;
