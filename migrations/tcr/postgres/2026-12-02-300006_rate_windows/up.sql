-- Requests per account and action in each one-second window (window_start: seconds since
-- the epoch), counted by one upsert per request so that every replica sharing this
-- database draws on one budget (crates/tcr-svc/src/ratelimit.rs). Windows a minute old
-- are pruned.
--
-- UNLOGGED: a count matters for one second, so it is not written to the write-ahead log
-- and its commit waits for no flush (every request of an account updates one row, whose
-- lock would otherwise be held through a flush). A crash empties the table and a standby
-- does not receive it: the windows then start afresh, forgiving at most one second's
-- requests.
CREATE UNLOGGED TABLE rate_windows (
    -- The account (iam-svc domain) of the signing key.
    account_id VARCHAR(64) NOT NULL,
    action VARCHAR(64) NOT NULL,
    window_start BIGINT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (account_id, action, window_start)
);
CREATE INDEX rate_windows_by_start ON rate_windows (window_start);
