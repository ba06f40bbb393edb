DROP TRIGGER credentials_count_update ON credentials;
DROP TRIGGER credentials_count_delete ON credentials;
DROP TRIGGER credentials_count_insert ON credentials;
DROP FUNCTION credentials_count_move();
DROP FUNCTION credentials_count_statement();
ALTER TABLE instances DROP COLUMN long_term_credentials;
