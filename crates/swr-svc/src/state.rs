//! Application state shared by every worker.

use std::sync::Arc;

use service_kit::auth::TokenVerifier;
use service_kit::db::DbPool;

use crate::config::SwrConfig;

pub struct AppState {
    pub pool: DbPool,
    pub config: SwrConfig,
    /// Verifies X-Auth-Token offline; fed from iam-svc by an `IamFeed`.
    pub verifier: Arc<TokenVerifier>,
}
