-- How many long-term credentials each instance has, so listing everyone's credentials
-- reports `total` without counting them. Triggers keep it exact in the transaction of
-- every write (the service's, a cascade from the instance, or plain SQL); temporary
-- credentials are not counted.
ALTER TABLE instances ADD COLUMN long_term_credentials BIGINT NOT NULL DEFAULT 0;

-- Until the triggers exist, nothing may change the rows being counted (replicas of the
-- previous release keep running during an upgrade). Inserts already wait for the lock
-- ALTER TABLE holds; this stops deletes too.
LOCK TABLE credentials IN SHARE ROW EXCLUSIVE MODE;

UPDATE instances SET long_term_credentials = counted.n
FROM (
    SELECT instance_id, COUNT(*) AS n FROM credentials
    WHERE kind = 'long_term' GROUP BY instance_id
) AS counted
WHERE instances.id = counted.instance_id;

-- Once per statement, over the rows it inserted or deleted: a bulk insert updates each
-- instance row once, not once per credential.
CREATE FUNCTION credentials_count_statement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE instances SET long_term_credentials = long_term_credentials + d.n
        FROM (SELECT instance_id, COUNT(*) AS n FROM new_rows
              WHERE kind = 'long_term' GROUP BY instance_id) AS d
        WHERE instances.id = d.instance_id;
    ELSE
        UPDATE instances SET long_term_credentials = long_term_credentials - d.n
        FROM (SELECT instance_id, COUNT(*) AS n FROM old_rows
              WHERE kind = 'long_term' GROUP BY instance_id) AS d
        WHERE instances.id = d.instance_id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER credentials_count_insert AFTER INSERT ON credentials
REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION credentials_count_statement();

CREATE TRIGGER credentials_count_delete AFTER DELETE ON credentials
REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION credentials_count_statement();

-- The service never moves a credential or changes its kind; plain SQL might.
CREATE FUNCTION credentials_count_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.kind = 'long_term' THEN
        UPDATE instances SET long_term_credentials = long_term_credentials - 1
        WHERE id = OLD.instance_id;
    END IF;
    IF NEW.kind = 'long_term' THEN
        UPDATE instances SET long_term_credentials = long_term_credentials + 1
        WHERE id = NEW.instance_id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER credentials_count_update AFTER UPDATE OF kind, instance_id ON credentials
FOR EACH ROW
WHEN (OLD.kind IS DISTINCT FROM NEW.kind OR OLD.instance_id IS DISTINCT FROM NEW.instance_id)
EXECUTE FUNCTION credentials_count_move();
