//! tcr-svc integration tests: TC3-signed API 3.0 requests through the real app, database
//! out. iam-svc's part (the MAC check with the secret) is played by a verifier that knows
//! the test keys; the end-to-end tests against iam-svc and a real registry are scripts.

#![allow(clippy::expect_used, clippy::unwrap_used)] // test code: a failed expectation is a failed test
#![allow(clippy::disallowed_methods)] // fixtures may read the wall clock; the service may not

mod actions;
mod common;
mod counts;
mod domain;
mod input_edges;
mod instance_checks;
mod instances;
mod json_schema;
mod migrations;
mod namespaces;
mod offboarding;
mod openapi;
mod ownership;
mod policy_matrix;
mod protocol;
mod rate_limits;
mod registry_login;
mod replay;
mod service_accounts;
mod sign_kit;
mod signing_tc3;
mod signing_v1;
mod startup;
mod temporary;
mod token_purge;
