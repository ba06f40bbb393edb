//! swr-svc: Huawei SWR Enterprise's registry credentials.
//!
//! Instances (each fronting one registry), long-term and temporary credentials with the
//! API `huaweicloudsdkswr` speaks, and the registry token endpoint (`/service/token`)
//! that lets those credentials log in to a real registry. Callers authenticate with IAM
//! tokens (verified offline) or SDK-HMAC-SHA256 signatures (checked by iam-svc).
//!
//! Layout: `routes/` (handlers: extract, call, render) -> `domain/` (the rules of each
//! resource, callable without HTTP) -> `policy` (who may do what), `instance_requests`
//! and `namespaces` (what an instance or namespace request may say) and `repo/` (queries);
//! `revocation` revokes stored credentials when iam-svc says a user or project is gone;
//! `startup` points every instance at the configured registry before serving; `views`
//! are the answers' types and `openapi` the document they and the handlers make.

pub mod app;
pub mod config;
pub mod domain;
pub mod error;
pub mod instance_requests;
pub mod namespaces;
pub mod openapi;
pub mod policy;
pub mod registry_auth;
pub mod repo;
pub mod revocation;
pub mod routes;
pub mod schema;
pub mod startup;
pub mod state;
pub mod views;

use diesel_migrations::embed_migrations;
use service_kit::db::Migrations;

/// The schema, for both backends.
pub const MIGRATIONS: Migrations = Migrations {
    sqlite: embed_migrations!("../../migrations/swr/sqlite"),
    postgres: embed_migrations!("../../migrations/swr/postgres"),
};
