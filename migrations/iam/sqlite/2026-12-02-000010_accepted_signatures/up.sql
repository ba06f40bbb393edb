-- Signatures accepted once: a replayed request is refused while any service would still
-- accept its date (service_kit::auth::replay). Only a digest of the key and the MAC.
CREATE TABLE accepted_signatures (
    digest VARCHAR(64) PRIMARY KEY,
    valid_until TIMESTAMP NOT NULL,
    -- The read action the signature may repeat as (a Tencent read whose action is
    -- unsigned); NULL: it was accepted once.
    read_as VARCHAR(128)
);
CREATE INDEX accepted_signatures_by_age ON accepted_signatures (valid_until);
