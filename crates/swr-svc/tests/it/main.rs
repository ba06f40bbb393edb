//! swr-svc integration tests: HTTP in through the real app, database out. Tokens are
//! minted with a test key the app's verifier trusts, so no iam-svc is needed; the
//! end-to-end tests against iam-svc and a real registry live in scripts.

#![allow(clippy::expect_used, clippy::unwrap_used)] // test code: a failed expectation is a failed test
#![allow(clippy::disallowed_methods)] // fixtures may read the wall clock; the service may not

mod admin_disable;
mod clock;
mod common;
mod counts;
mod credentials;
mod domain;
mod instance_details;
mod instances;
mod jobs;
mod listeners;
mod migrations;
mod namespaces;
mod openapi;
mod policy_matrix;
mod quota;
mod registry_login;
mod registry_tenancy;
mod revocation;
mod startup;
mod temporary_credentials;
mod temporary_keys;
