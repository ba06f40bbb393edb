-- How many long-term credentials each instance has, so listing everyone's credentials
-- reports `total` without counting them. Triggers keep it exact in the transaction of
-- every write (the service's, a cascade from the instance, or plain SQL); temporary
-- credentials are not counted.
ALTER TABLE instances ADD COLUMN long_term_credentials BIGINT NOT NULL DEFAULT 0;

UPDATE instances SET long_term_credentials = (
    SELECT COUNT(*) FROM credentials
    WHERE credentials.instance_id = instances.id AND credentials.kind = 'long_term'
);

CREATE TRIGGER credentials_count_insert AFTER INSERT ON credentials
WHEN NEW.kind = 'long_term'
BEGIN
    UPDATE instances SET long_term_credentials = long_term_credentials + 1
    WHERE id = NEW.instance_id;
END;

CREATE TRIGGER credentials_count_delete AFTER DELETE ON credentials
WHEN OLD.kind = 'long_term'
BEGIN
    UPDATE instances SET long_term_credentials = long_term_credentials - 1
    WHERE id = OLD.instance_id;
END;

-- The service never moves a credential or changes its kind; plain SQL might.
CREATE TRIGGER credentials_count_update AFTER UPDATE OF kind, instance_id ON credentials
WHEN OLD.kind = 'long_term' OR NEW.kind = 'long_term'
BEGIN
    UPDATE instances SET long_term_credentials = long_term_credentials - 1
    WHERE id = OLD.instance_id AND OLD.kind = 'long_term';
    UPDATE instances SET long_term_credentials = long_term_credentials + 1
    WHERE id = NEW.instance_id AND NEW.kind = 'long_term';
END;
