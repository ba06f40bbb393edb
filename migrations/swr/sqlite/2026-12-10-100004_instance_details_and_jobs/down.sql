ALTER TABLE instances ADD COLUMN job_id VARCHAR(64) NOT NULL DEFAULT '';
UPDATE instances SET job_id = COALESCE(
    (SELECT MIN(jobs.id) FROM jobs WHERE jobs.instance_id = instances.id AND jobs.kind = 'CreateInstance'),
    instances.id);
DROP TABLE jobs;
DROP TABLE instance_tags;
ALTER TABLE instances DROP COLUMN updated_at;
