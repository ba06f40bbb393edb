-- Two small tables for the database tests: `items` (unique names) and `children` (a
-- foreign key to items). The same statements on SQLite and PostgreSQL.
CREATE TABLE items (id INTEGER PRIMARY KEY, name VARCHAR(64) NOT NULL UNIQUE);
CREATE TABLE children (id INTEGER PRIMARY KEY, item_id INTEGER NOT NULL REFERENCES items(id));
