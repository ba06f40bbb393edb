//! service-kit integration tests: the `Authenticated` extractor over a real actix app, the
//! database plumbing on SQLite files (and PostgreSQL with `TEST_DATABASE_URL`), the
//! health probes, metrics, request ids and the access log. One binary, modules per area,
//! on the test kit every service uses (`service_kit::testing`): requests through
//! `TestApp`, databases from `TestDatabase`.

#![allow(clippy::expect_used, clippy::unwrap_used)] // test code: a failed expectation is a failed test

mod common;
mod db;
mod db_faults;
mod deploy_configs;
mod extractor;
mod http;
mod http_limits;
mod http_serve;
mod logs;
mod registry;
mod remote;
mod start;
mod write;
