-- Requests per account and action in each one-second window (window_start: seconds since
-- the epoch). Counted here on PostgreSQL only, where replicas share the database; a SQLite
-- deployment is one process, which counts in memory (crates/tcr-svc/src/ratelimit.rs).
-- The table exists on both backends so that the schema is the same.
CREATE TABLE rate_windows (
    -- The account (iam-svc domain) of the signing key.
    account_id VARCHAR(64) NOT NULL,
    action VARCHAR(64) NOT NULL,
    window_start BIGINT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (account_id, action, window_start)
);
CREATE INDEX rate_windows_by_start ON rate_windows (window_start);
