-- JSON: the registry's cloud tags as CreateInstance takes them (TagSpecification.Tags),
-- shown again by DescribeInstances.
ALTER TABLE registries ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
-- Expired temp tokens are purged as new ones are issued; this finds them without reading
-- the tokens that still live.
CREATE INDEX instance_tokens_by_expiry ON instance_tokens (kind, expires_at);
