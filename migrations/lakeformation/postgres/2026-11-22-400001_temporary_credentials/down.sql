DROP TABLE issuances;
DROP TABLE instances;
