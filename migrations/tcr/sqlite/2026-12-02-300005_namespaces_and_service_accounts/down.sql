DROP TABLE service_accounts;
DROP TABLE namespaces;
