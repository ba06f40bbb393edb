-- Login attempts per subject (a user, an unknown user name, a client address) in a fixed
-- window: an attempt is counted before its password is hashed, so concurrent guesses and
-- replicas sharing the database all draw on one budget.
CREATE TABLE login_limits (
    subject VARCHAR(200) PRIMARY KEY,
    attempts INTEGER NOT NULL,
    window_start TIMESTAMP NOT NULL
);
CREATE INDEX login_limits_window ON login_limits (window_start);
