//! Application state shared by every worker: the pool, configuration, keys, the token
//! verifier, the login limits and the clock every request reads its time from.

use std::sync::Arc;

use credential_core::iam_token::{TokenSigningKey, VerifyingKey};
use service_kit::auth::{
    InternalCredential, RemoteSignatureVerifier, RoutingSignatureVerifier, SignatureVerifier,
    TokenVerifier, VerifierOptions,
};
use service_kit::clock::Clock;
use service_kit::db::{self, DbPool};

use crate::config::IamConfig;
use crate::error::IamError;
use crate::ratelimit::LoginLimits;
use crate::repo;
use crate::signatures::{LocalSignatureVerifier, PermanentKeys};
use service_kit::keyfiles::SigningKeys;

/// The key material a running iam-svc needs.
pub struct Keys {
    pub signing: SigningKeys,
    /// Seals secret access keys at rest.
    pub master: credential_core::seal::Keyring,
    pub internal: InternalCredential,
}

pub struct AppState {
    pub pool: DbPool,
    pub config: IamConfig,
    pub signer: TokenSigningKey,
    pub verifying_keys: Vec<VerifyingKey>,
    pub verifier: Arc<TokenVerifier>,
    pub limits: LoginLimits,
    pub internal: InternalCredential,
    pub signatures: LocalSignatureVerifier,
    /// What the signed-request middleware asks: `signatures` for permanent keys, the
    /// temporary-key issuer (lakeformation-svc) for requests with a security token.
    pub routed_signatures: Arc<dyn SignatureVerifier>,
    /// The time every request, the verifier and the revocation sync read: the system
    /// clock, or one a test moves.
    pub clock: Clock,
}

impl AppState {
    /// The state of a running service, on the system clock.
    pub fn new(config: IamConfig, pool: DbPool, keys: Keys) -> AppState {
        AppState::with_clock(config, pool, keys, Clock::system())
    }

    /// As [`AppState::new`], reading time from `clock` (a fixed one, in tests).
    pub fn with_clock(config: IamConfig, pool: DbPool, keys: Keys, clock: Clock) -> AppState {
        let Keys {
            signing: keys,
            master,
            internal,
        } = keys;
        let verifier = Arc::new(TokenVerifier::new(VerifierOptions {
            max_feed_staleness: std::time::Duration::from_secs(
                config.revocation.max_staleness_seconds,
            ),
            clock: clock.clone(),
            ..VerifierOptions::default()
        }));
        verifier.set_keys(keys.verifying.clone());
        let signatures =
            LocalSignatureVerifier::new(pool.clone(), PermanentKeys::new(Arc::new(master)))
                .with_clock(clock.clone());
        let temporary = config.lakeformation.url().map(|url| {
            Arc::new(RemoteSignatureVerifier::new(url, internal.clone()))
                as Arc<dyn SignatureVerifier>
        });
        AppState {
            routed_signatures: Arc::new(RoutingSignatureVerifier::new(
                Arc::new(signatures.clone()),
                temporary,
            )),
            signatures,
            limits: LoginLimits::new(&config.login_limits),
            pool,
            signer: keys.current,
            verifying_keys: keys.verifying,
            verifier,
            internal,
            config,
            clock,
        }
    }

    /// Send requests signed with temporary keys to `issuer` instead of the configured
    /// lakeformation-svc (tests, or a deployment that embeds its own issuer). The routing
    /// still marks every principal it answers as temporary.
    pub fn with_temporary_issuer(mut self, issuer: Arc<dyn SignatureVerifier>) -> AppState {
        self.routed_signatures = Arc::new(RoutingSignatureVerifier::new(
            Arc::new(self.signatures.clone()),
            Some(issuer),
        ));
        self
    }

    /// Read revocations recorded since the last read (by any replica) into the verifier.
    pub async fn sync_revocations(&self) -> Result<(), IamError> {
        let after = self.verifier.last_seq();
        let now = self.clock.now();
        let events = db::run(&self.pool, move |conn| -> Result<_, IamError> {
            Ok(repo::revocations::after(conn, after, db::stored_time(now))?)
        })
        .await?;
        self.verifier.apply_revocations(&events, now);
        Ok(())
    }

    /// Keep the verifier current for as long as the process runs; prune old events now
    /// and then.
    pub async fn run_revocation_sync(self: Arc<Self>) {
        let interval = std::time::Duration::from_millis(self.config.revocation.poll_interval_ms);
        let mut ticks: u64 = 0;
        loop {
            if let Err(e) = self.sync_revocations().await {
                log::warn!("revocation sync failed: {e}");
            }
            ticks += 1;
            if ticks % 600 == 0 {
                let limits = self.limits.clone();
                let now = self.clock.stored_now();
                let pruned = db::write(&self.pool, move |conn| -> Result<_, IamError> {
                    Ok(repo::revocations::prune(conn, now)? + limits.prune(conn, now)?)
                })
                .await;
                if let Err(e) = pruned {
                    log::warn!("revocation prune failed: {e}");
                }
            }
            actix_web::rt::time::sleep(interval).await;
        }
    }
}
