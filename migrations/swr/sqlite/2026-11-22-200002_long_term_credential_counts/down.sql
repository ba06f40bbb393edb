DROP TRIGGER credentials_count_update;
DROP TRIGGER credentials_count_delete;
DROP TRIGGER credentials_count_insert;
ALTER TABLE instances DROP COLUMN long_term_credentials;
