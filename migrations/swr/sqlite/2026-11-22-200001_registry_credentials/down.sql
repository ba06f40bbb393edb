DROP TABLE credentials;
DROP TABLE instances;
