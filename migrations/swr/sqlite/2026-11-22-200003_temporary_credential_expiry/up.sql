-- A create purges the caller's expired temporary credentials on the instance before it
-- checks the quota. Without this index that purge reads every credential the user holds
-- there (up to the quota, 1000 at most) to look at its kind and expiry; with it, only the
-- expired temporary ones. Long-term credentials are not in it, so their inserts do not
-- pay for it. The purge names the kind as a literal, which a partial index needs.
CREATE INDEX credentials_temporary_expiry ON credentials (instance_id, user_id, expires_at)
    WHERE kind = 'temporary';
