DROP TABLE instance_tags;
ALTER TABLE instances DROP COLUMN recycled_at;
ALTER TABLE instances DROP COLUMN updated_at;
ALTER TABLE instances DROP COLUMN specs;
ALTER TABLE instances DROP COLUMN shared;
ALTER TABLE instances DROP COLUMN enterprise_project_id;
