-- What a create asks for and the instance answers with: its enterprise project, whether
-- it is shared, its specs (the vendor's CreateSpec list, as JSON), when it last changed,
-- and since when it is in the recycle bin (NULL: it is not).
ALTER TABLE instances ADD COLUMN enterprise_project_id VARCHAR(64) NOT NULL DEFAULT '0';
ALTER TABLE instances ADD COLUMN shared BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE instances ADD COLUMN specs VARCHAR(4096) NOT NULL DEFAULT '[]';
ALTER TABLE instances ADD COLUMN updated_at TIMESTAMP NOT NULL DEFAULT '1970-01-01 00:00:00';
ALTER TABLE instances ADD COLUMN recycled_at TIMESTAMP;
-- An instance made before this version has not changed since it was created.
UPDATE instances SET updated_at = created_at;

-- An instance's tags, one row each: a listing filters on them in SQL.
CREATE TABLE instance_tags (
    instance_id VARCHAR(64) NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    tag_key VARCHAR(128) NOT NULL,
    tag_value VARCHAR(255) NOT NULL,
    PRIMARY KEY (instance_id, tag_key)
);
CREATE INDEX instance_tags_by_tag ON instance_tags (tag_key, tag_value);
-- Every row now says when it changed; new rows set it themselves.
ALTER TABLE instances ALTER COLUMN updated_at DROP DEFAULT;
