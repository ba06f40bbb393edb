-- Signatures accepted once: a replayed request is refused while any service would still
-- accept its date (service_kit::auth::replay). Only a digest of the key and the MAC.
CREATE TABLE accepted_signatures (
    digest VARCHAR(64) PRIMARY KEY,
    valid_until TIMESTAMP NOT NULL,
    -- Requests accepted with it and not given back (a failed one gives its use back).
    uses INTEGER NOT NULL
);
CREATE INDEX accepted_signatures_by_age ON accepted_signatures (valid_until);
