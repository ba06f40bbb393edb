//! iam-svc integration tests: HTTP in through the real app, database out. One binary,
//! modules per area. SQLite by default; PostgreSQL with `TEST_DATABASE_URL`.

#![allow(clippy::expect_used, clippy::unwrap_used)] // test code: a failed expectation is a failed test
#![allow(clippy::disallowed_methods)] // fixtures may read the wall clock; the service may not

mod access_keys;
mod access_keys_v5;
mod bad_input;
mod clock;
mod common;
mod concurrency;
mod discovery;
mod domain;
mod groups_and_grants;
mod internal_guard;
mod login_limits;
mod migrations;
mod openapi;
mod password_work;
mod policy_matrix;
mod projects_and_roles;
mod revocation_events;
mod revocation_feed;
mod secrets;
mod securitytokens;
mod smoke;
mod temporary_keys;
mod tokens;
mod users;
