DROP TABLE accepted_signatures;
