//! Application state shared by every worker: the pool, configuration, the verifiers and
//! the clock every request reads its time from.

use std::sync::Arc;

use service_kit::auth::{RemoteSignatureVerifier, TokenVerifier};
use service_kit::clock::Clock;
use service_kit::db::DbPool;

use crate::config::LfConfig;
use crate::verifier::TemporaryKeyVerifier;

pub struct AppState {
    pub pool: DbPool,
    pub config: LfConfig,
    /// Verifies X-Auth-Token offline; fed from iam-svc by an `IamFeed`.
    pub verifier: Arc<TokenVerifier>,
    /// iam-svc: permanent-key signatures and the directory of user and group names.
    pub iam: Arc<RemoteSignatureVerifier>,
    /// This service's own temporary keys.
    pub temporary: TemporaryKeyVerifier,
    /// The time requests read: the system clock, or one a test moves.
    pub clock: Clock,
}
