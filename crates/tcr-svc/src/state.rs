//! Application state shared by every worker.

use std::sync::Arc;

use service_kit::auth::{SignatureVerifier, TokenVerifier};
use service_kit::clock::Clock;
use service_kit::db::DbPool;

use crate::config::TcrConfig;
use crate::ratelimit::RateLimiter;

pub struct AppState {
    pub pool: DbPool,
    pub config: TcrConfig,
    /// Checks TC3 signatures: iam-svc, over its internal API.
    pub signatures: Arc<dyn SignatureVerifier>,
    /// The revocations pulled from iam-svc, which temporary keys are checked against.
    pub verifier: Arc<TokenVerifier>,
    /// Requests per account and action per second: in the database on PostgreSQL, which
    /// replicas share; in this process's memory on SQLite.
    pub limiter: RateLimiter,
    /// "Now" for every rule: the system clock, or a fixed one a test moves.
    pub clock: Clock,
}
