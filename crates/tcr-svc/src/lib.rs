//! tcr-svc: Tencent Container Registry's instance tokens over API 3.0.
//!
//! `POST /` with `X-TC-Action` serves the six registry actions (CreateInstance,
//! DescribeInstances, DeleteInstance, DescribeInstanceStatus, CheckInstanceName,
//! CheckInstance), the four instance-token actions, the five namespace actions and the
//! five service-account actions, signed with TC3-HMAC-SHA256 by an iam-svc access key
//! (SecretId = AK), so
//! `tencentcloud-sdk-python-tcr` works unchanged. Its tokens log in to a real registry
//! through `/service/token`, which opens only the namespaces of the token's own registry.
//!
//! Layout: `api` (envelope, auth, limits) -> `actions/` (one file per resource: read the
//! parameters, ask `policy` who may, call one domain function, render) -> the domain
//! (`registries`, `tokens`, `namespaces`, `service_accounts`: the rules, callable without
//! HTTP, with `now` from the state's clock) -> `repo/`. `wire` holds the types each action
//! answers with (and describes its parameters); `openapi` documents them, served at
//! `/openapi.json`.

pub mod actions;
pub mod api;
pub mod app;
pub mod auth;
pub mod config;
pub mod error;
pub mod namespaces;
pub mod openapi;
pub mod params;
pub mod policy;
pub mod ratelimit;
pub mod regions;
pub mod registries;
pub mod registry_auth;
pub mod repo;
pub mod revocations;
pub mod schema;
pub mod service_accounts;
pub mod startup;
pub mod state;
pub mod tokens;
pub mod views;
pub mod wire;

use diesel_migrations::embed_migrations;
use service_kit::db::Migrations;

/// The schema, for both backends.
pub const MIGRATIONS: Migrations = Migrations {
    sqlite: embed_migrations!("../../migrations/tcr/sqlite"),
    postgres: embed_migrations!("../../migrations/tcr/postgres"),
};
