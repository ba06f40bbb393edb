//! Application state shared by every worker: the pool, configuration, keys, the token
//! verifier, the login limits and the clock every request reads its time from.

use std::sync::Arc;

use credential_core::iam_token::{TokenSigningKey, VerifyingKey};
use credential_core::security_token::{issuer_of, Issuer};
use service_kit::auth::wire::{SignatureCheck, SignatureVerdict};
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
use crate::temporary::{self, TemporaryKeyVerifier};
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
    /// The temporary keys iam-svc issues (`securitytokens`), sealed under the master
    /// keyring.
    pub temporary: TemporaryKeyVerifier,
    /// What the signed-request middleware asks: `signatures` for permanent keys,
    /// `temporary` for iam-svc's temporary keys, lakeformation-svc for its own.
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
        let master = Arc::new(master);
        let signatures =
            LocalSignatureVerifier::new(pool.clone(), PermanentKeys::new(master.clone()))
                .with_clock(clock.clone());
        let temporary = temporary::verifier(pool.clone(), master).with_clock(clock.clone());
        let lakeformation = config.lakeformation.url().map(|url| {
            Arc::new(RemoteSignatureVerifier::new(url, internal.clone()))
                as Arc<dyn SignatureVerifier>
        });
        AppState {
            routed_signatures: routing(&signatures, &temporary, lakeformation),
            signatures,
            temporary,
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
        self.routed_signatures = routing(&self.signatures, &self.temporary, Some(issuer));
        self
    }

    /// The answer to another service's signature check: iam-svc's temporary keys by
    /// their own rule, every other key as a permanent one (which refuses a security
    /// token).
    pub async fn signature_verdict(
        &self,
        check: SignatureCheck,
    ) -> Result<SignatureVerdict, IamError> {
        let ours = check
            .security_token
            .as_deref()
            .is_some_and(|t| issuer_of(t) == Ok(Issuer::Iam));
        Ok(if ours {
            self.temporary.verdict(check).await?
        } else {
            self.signatures.verdict(check).await?
        })
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

    /// Keep the verifier current for as long as the process runs; prune old events, login
    /// counters and the records of expired temporary keys now and then.
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
                    Ok(repo::revocations::prune(conn, now)?
                        + limits.prune(conn, now)?
                        + repo::temporary_keys::prune(conn, now)?)
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

/// Permanent keys and iam-svc's temporary keys here; lakeformation-svc's temporary keys
/// to `lakeformation`, when there is one.
fn routing(
    permanent: &LocalSignatureVerifier,
    temporary: &TemporaryKeyVerifier,
    lakeformation: Option<Arc<dyn SignatureVerifier>>,
) -> Arc<dyn SignatureVerifier> {
    Arc::new(
        RoutingSignatureVerifier::new(Arc::new(permanent.clone()), lakeformation)
            .with_issuer(Issuer::Iam, Arc::new(temporary.clone())),
    )
}
