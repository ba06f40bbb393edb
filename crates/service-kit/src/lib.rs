//! Shared runtime for the credential services.
//!
//! - [`cli`]: the command line every service binary shares.
//! - [`clock`]: the one source of "now": the system clock, or a fixed one tests move.
//! - [`config`]: typed configuration (defaults < file < environment).
//! - [`db`]: one connection type over SQLite and PostgreSQL, pool, migrations, errors.
//! - [`http`]: request ids and access log, health, readiness and metrics.
//! - [`keyfiles`]: key material from files (signing keys, sealing keyrings, the internal
//!   credential), generated in development mode.
//! - [`auth`]: IAM token verification, the `Authenticated` extractor, internal calls.
//! - [`openapi`]: the OpenAPI document each service serves at `/openapi.json`, its
//!   authentication schemes and the committed copy's rendering.
//! - [`policy`]: the words every service's policy table is written in (roles, key kinds,
//!   grants and their documented cells) and the rules all tables share.
//! - [`registry`]: registry login (`/service/token`), its signing key and scope parsing.
//! - [`start`]: the start-up of the services that trust iam-svc (command line, the link
//!   to iam-svc, the server beside the revocation feed).
//! - `testing` (feature `test-kit`): a fresh database per test, the test client over an
//!   app, minted IAM tokens, the migration round trip, the check that the served OpenAPI document is the
//!   committed one, and the check that a docs/policy
//!   page shows the code's policy table.
//!
//! Depends on `credential-core` only; services depend on this crate, never on each other.

pub mod auth;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod http;
pub mod keyfiles;
pub mod logging;
pub mod openapi;
pub mod policy;
pub mod registry;
pub mod start;
#[cfg(feature = "test-kit")]
pub mod testing;
pub mod timefmt;
