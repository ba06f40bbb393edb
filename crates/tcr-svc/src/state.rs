//! Application state shared by every worker.

use std::sync::Arc;

use service_kit::auth::SignatureVerifier;
use service_kit::db::DbPool;

use crate::config::TcrConfig;
use crate::ratelimit::RateLimiter;

pub struct AppState {
    pub pool: DbPool,
    pub config: TcrConfig,
    /// Checks TC3 signatures: iam-svc, over its internal API.
    pub signatures: Arc<dyn SignatureVerifier>,
    pub limiter: RateLimiter,
}
