-- How many longterm tokens each registry has, so DescribeInstanceToken reports
-- `TotalCount` without counting them. Triggers keep it exact in the transaction of every
-- write (the service's, a cascade from the registry, or plain SQL); temp tokens are not
-- counted.
ALTER TABLE registries ADD COLUMN longterm_tokens BIGINT NOT NULL DEFAULT 0;

-- Until the triggers exist, nothing may change the rows being counted (replicas of the
-- previous release keep running during an upgrade). Inserts already wait for the lock
-- ALTER TABLE holds; this stops deletes too.
LOCK TABLE instance_tokens IN SHARE ROW EXCLUSIVE MODE;

UPDATE registries SET longterm_tokens = counted.n
FROM (
    SELECT registry_id, COUNT(*) AS n FROM instance_tokens
    WHERE kind = 'longterm' GROUP BY registry_id
) AS counted
WHERE registries.id = counted.registry_id;

-- Once per statement, over the rows it inserted or deleted: a bulk insert updates each
-- registry row once, not once per token.
CREATE FUNCTION instance_tokens_count_statement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE registries SET longterm_tokens = longterm_tokens + d.n
        FROM (SELECT registry_id, COUNT(*) AS n FROM new_rows
              WHERE kind = 'longterm' GROUP BY registry_id) AS d
        WHERE registries.id = d.registry_id;
    ELSE
        UPDATE registries SET longterm_tokens = longterm_tokens - d.n
        FROM (SELECT registry_id, COUNT(*) AS n FROM old_rows
              WHERE kind = 'longterm' GROUP BY registry_id) AS d
        WHERE registries.id = d.registry_id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER instance_tokens_count_insert AFTER INSERT ON instance_tokens
REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION instance_tokens_count_statement();

CREATE TRIGGER instance_tokens_count_delete AFTER DELETE ON instance_tokens
REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION instance_tokens_count_statement();

-- The service never moves a token or changes its kind; plain SQL might.
CREATE FUNCTION instance_tokens_count_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.kind = 'longterm' THEN
        UPDATE registries SET longterm_tokens = longterm_tokens - 1
        WHERE id = OLD.registry_id;
    END IF;
    IF NEW.kind = 'longterm' THEN
        UPDATE registries SET longterm_tokens = longterm_tokens + 1
        WHERE id = NEW.registry_id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER instance_tokens_count_update AFTER UPDATE OF kind, registry_id ON instance_tokens
FOR EACH ROW
WHEN (OLD.kind IS DISTINCT FROM NEW.kind OR OLD.registry_id IS DISTINCT FROM NEW.registry_id)
EXECUTE FUNCTION instance_tokens_count_move();
