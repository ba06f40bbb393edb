ALTER TABLE users DROP COLUMN pwd_status;
