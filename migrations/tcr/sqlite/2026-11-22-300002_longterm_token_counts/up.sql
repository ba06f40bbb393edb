-- How many longterm tokens each registry has, so DescribeInstanceToken reports
-- `TotalCount` without counting them. Triggers keep it exact in the transaction of every
-- write (the service's, a cascade from the registry, or plain SQL); temp tokens are not
-- counted.
ALTER TABLE registries ADD COLUMN longterm_tokens BIGINT NOT NULL DEFAULT 0;

UPDATE registries SET longterm_tokens = (
    SELECT COUNT(*) FROM instance_tokens
    WHERE instance_tokens.registry_id = registries.id AND instance_tokens.kind = 'longterm'
);

CREATE TRIGGER instance_tokens_count_insert AFTER INSERT ON instance_tokens
WHEN NEW.kind = 'longterm'
BEGIN
    UPDATE registries SET longterm_tokens = longterm_tokens + 1
    WHERE id = NEW.registry_id;
END;

CREATE TRIGGER instance_tokens_count_delete AFTER DELETE ON instance_tokens
WHEN OLD.kind = 'longterm'
BEGIN
    UPDATE registries SET longterm_tokens = longterm_tokens - 1
    WHERE id = OLD.registry_id;
END;

-- The service never moves a token or changes its kind; plain SQL might.
CREATE TRIGGER instance_tokens_count_update AFTER UPDATE OF kind, registry_id ON instance_tokens
WHEN OLD.kind = 'longterm' OR NEW.kind = 'longterm'
BEGIN
    UPDATE registries SET longterm_tokens = longterm_tokens - 1
    WHERE id = OLD.registry_id AND OLD.kind = 'longterm';
    UPDATE registries SET longterm_tokens = longterm_tokens + 1
    WHERE id = NEW.registry_id AND NEW.kind = 'longterm';
END;
