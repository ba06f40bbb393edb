//! Keeps a [`TokenVerifier`] current from iam-svc's internal API.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::future::LocalBoxFuture;

use super::wire::{KeySet, RevocationEvent, RevocationPage, KEYS_PATH, REVOCATIONS_PATH};
use super::{InternalCredential, TokenVerifier, INTERNAL_TOKEN_HEADER};

/// Why a pull from iam-svc failed.
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    #[error("iam-svc unreachable: {0}")]
    Transport(String),
    #[error("iam-svc answered {0}")]
    Status(u16),
    #[error("iam-svc sent an unreadable body: {0}")]
    Body(String),
    #[error("stored credentials could not be revoked: {0}")]
    Sink(String),
}

/// A service that stores credentials (registry credentials, temporary keys, instance
/// tokens) revokes them here when iam-svc says a user or project is gone, so they stay
/// dead after the in-memory revocations are forgotten.
pub trait RevocationSink: 'static {
    /// Revoke, durably, every stored credential that `events` cut off (each event's
    /// [`durable_cutoff`](RevocationEvent::durable_cutoff)). Only durable kinds arrive;
    /// the same event may arrive again and must change nothing the second time. An error
    /// leaves the events unapplied, to be pulled again.
    fn revoke(&self, events: Vec<RevocationEvent>) -> LocalBoxFuture<'static, Result<(), String>>;
}

/// Pulls verifying keys and revocation events from iam-svc.
pub struct IamFeed {
    base_url: String,
    credential: InternalCredential,
    verifier: Arc<TokenVerifier>,
    poll_interval: Duration,
    key_refresh_interval: Duration,
    sink: Option<Arc<dyn RevocationSink>>,
}

impl IamFeed {
    /// A feed for `verifier` from iam-svc at `base_url` (e.g. `http://127.0.0.1:8081`).
    pub fn new(
        base_url: impl Into<String>,
        credential: InternalCredential,
        verifier: Arc<TokenVerifier>,
        poll_interval: Duration,
    ) -> Self {
        IamFeed {
            base_url: base_url.into().trim_end_matches('/').to_string(),
            credential,
            verifier,
            poll_interval,
            key_refresh_interval: Duration::from_secs(300),
            sink: None,
        }
    }

    /// Also revoke stored credentials through `sink` before applying each page.
    pub fn with_sink(mut self, sink: Arc<dyn RevocationSink>) -> Self {
        self.sink = Some(sink);
        self
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, path: &str) -> Result<T, FeedError> {
        let call = async {
            let mut res = super::client::client()
                .get(format!("{}{path}", self.base_url))
                .insert_header((INTERNAL_TOKEN_HEADER, self.credential.expose()))
                .send()
                .await
                .map_err(|e| FeedError::Transport(e.to_string()))?;
            if !res.status().is_success() {
                return Err(FeedError::Status(res.status().as_u16()));
            }
            res.json::<T>()
                .limit(8 << 20)
                .await
                .map_err(|e| FeedError::Body(e.to_string()))
        };
        super::client::bounded(call, FeedError::Transport).await
    }

    /// Fetch the verifying keys now.
    pub async fn refresh_keys(&self) -> Result<(), FeedError> {
        let set: KeySet = self.get_json(KEYS_PATH).await?;
        self.verifier.set_keys(set.keys);
        Ok(())
    }

    /// Fetch and apply every revocation after the last one seen; returns how many.
    pub async fn pull_revocations(&self) -> Result<usize, FeedError> {
        let mut total = 0;
        loop {
            let after = self.verifier.last_seq();
            let page: RevocationPage = self
                .get_json(&format!("{REVOCATIONS_PATH}?after={after}"))
                .await?;
            let n = page.events.len();
            total += n;
            if let Some(sink) = &self.sink {
                let durable: Vec<RevocationEvent> = page
                    .events
                    .iter()
                    .filter(|e| e.kind.is_durable())
                    .cloned()
                    .collect();
                if !durable.is_empty() {
                    sink.revoke(durable).await.map_err(FeedError::Sink)?;
                }
            }
            self.verifier
                .apply_revocations(&page.events, self.verifier.clock().now());
            if n == 0 || page.last_seq <= after {
                return Ok(total);
            }
        }
    }

    /// Poll forever on the current actix runtime: revocations every `poll_interval`, keys
    /// every five minutes or as soon as a token names an unknown key.
    pub async fn run(self) {
        let mut keys_at: Option<Instant> = None;
        loop {
            let keys_due = keys_at.is_none_or(|at| at.elapsed() >= self.key_refresh_interval)
                || self.verifier.wants_key_refresh();
            if keys_due {
                match self.refresh_keys().await {
                    Ok(()) => keys_at = Some(Instant::now()),
                    Err(e) => log::warn!("token key refresh failed: {e}"),
                }
            }
            if let Err(e) = self.pull_revocations().await {
                log::warn!("revocation pull failed: {e}");
            }
            actix_web::rt::time::sleep(self.poll_interval).await;
        }
    }
}
