DROP TABLE instance_tokens;
DROP TABLE registries;
