//! iam-svc integration tests: HTTP in through the real app, database out. One binary,
//! modules per area. SQLite by default; PostgreSQL with `TEST_DATABASE_URL`.

mod common;
mod smoke;
mod tokens;
mod access_keys;
mod users;
mod groups_and_grants;
mod projects_and_roles;
mod bad_input;
mod revocation_feed;
