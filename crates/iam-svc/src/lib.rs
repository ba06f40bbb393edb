//! iam-svc: the identity provider of the credential services.
//!
//! Domains, projects, users, groups and role grants with the Keystone v3 API that
//! `huaweicloudsdkiam` speaks, Ed25519-signed X-Auth-Token tokens, permanent access keys,
//! temporary access keys for a token (`securitytokens`, checked by `temporary`), and the
//! internal API other services use to verify them (keys and the revocation feed).
//!
//! Layout: `routes/` (thin handlers: extract, call, render) -> `accounts`, `projects`,
//! `groups`, `grants`, `roles`, `credentials` (and `credentials_v5`, IAM v5's view of the
//! same keys, answering in `v5`'s envelope), `securitytokens`, `subjects`, `scopes`,
//! `tokens`, `directory` (one whole operation each; `catalog` and `versions` shape the
//! discovery documents) -> `policy` (who may do what), `revocation` (rules) -> `repo/`
//! (queries). `openapi` gathers the handlers' documents into the one served at
//! `/openapi.json`.

pub mod accounts;
pub mod app;
pub mod bootstrap;
pub mod catalog;
pub mod config;
pub mod credentials;
pub mod credentials_v5;
pub mod directory;
pub mod domains;
pub mod error;
pub mod grants;
pub mod groups;
pub mod openapi;
pub mod passwords;
pub mod policy;
pub mod projects;
pub mod ratelimit;
pub mod repo;
pub mod revocation;
pub mod roles;
pub mod rotation;
pub mod routes;
pub mod schema;
pub mod scopes;
pub mod securitytokens;
pub mod signatures;
pub mod state;
pub mod subjects;
pub mod temporary;
pub mod tokens;
pub mod v5;
pub mod validate;
pub mod versions;
pub mod views;
pub mod views_v5;

use diesel_migrations::embed_migrations;
use service_kit::db::Migrations;

/// The schema, for both backends.
pub const MIGRATIONS: Migrations = Migrations {
    sqlite: embed_migrations!("../../migrations/iam/sqlite"),
    postgres: embed_migrations!("../../migrations/iam/postgres"),
};
