DROP TABLE temporary_keys;
