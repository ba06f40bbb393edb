//! Application state shared by every worker: the pool, configuration, the token
//! verifier and the clock every request reads its time from.

use std::sync::Arc;

use service_kit::auth::TokenVerifier;
use service_kit::clock::Clock;
use service_kit::db::DbPool;

use crate::config::SwrConfig;

pub struct AppState {
    pub pool: DbPool,
    pub config: SwrConfig,
    /// Verifies X-Auth-Token offline; fed from iam-svc by an `IamFeed`.
    pub verifier: Arc<TokenVerifier>,
    /// The time requests and their writes read: the system clock, or one a test moves.
    /// The verifier reads the same one.
    pub clock: Clock,
}
