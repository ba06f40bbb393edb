//! lakeformation-svc integration tests: HTTP in through the real app, database out.
//! IAM tokens are minted with a test key the app's verifier trusts; iam-svc's directory
//! of user and group names is a small fake served in-process; temporary credentials are
//! issued by the app and then used, signed like the SDKs sign, against the app itself
//! and its issuer.

#![allow(clippy::expect_used, clippy::unwrap_used)] // test code: a failed expectation is a failed test
#![allow(clippy::disallowed_methods)] // fixtures may read the wall clock; the service may not

mod clock;
mod common;
mod credentials;
mod domain;
mod instance_fields;
mod instances;
mod migrations;
mod offboarding;
mod openapi;
mod policy_matrix;
mod recycle_bin;
mod replay;
mod verifier;
