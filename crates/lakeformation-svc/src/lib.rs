//! lakeformation-svc: Huawei LakeFormation's temporary credentials.
//!
//! Instances and `POST /v1/{project_id}/instances/{id}/credential`, which issues a
//! temporary AK/SK with a sealed, self-contained security token (AES-256-GCM, AAD = the
//! AK) holding the temporary secret, the principal, the project and the expiry. Every
//! service accepts requests signed with such a key: they route them here
//! (`/internal/v1/signature-checks`), where expiry, revocation and the MAC are checked.
//!
//! Layout: `routes/` (thin handlers, asking `policy` who may do what) -> `instances`,
//! `issue`, `revoke`, `security_token`, `verifier` -> `repo`.

pub mod app;
pub mod config;
pub mod error;
pub mod instances;
pub mod issue;
pub mod openapi;
pub mod policy;
pub mod repo;
pub mod revocations;
pub mod revoke;
pub mod routes;
pub mod schema;
pub mod security_token;
pub mod state;
pub mod verifier;

use diesel_migrations::embed_migrations;
use service_kit::db::Migrations;

/// The schema, for both backends.
pub const MIGRATIONS: Migrations = Migrations {
    sqlite: embed_migrations!("../../migrations/lakeformation/sqlite"),
    postgres: embed_migrations!("../../migrations/lakeformation/postgres"),
};
