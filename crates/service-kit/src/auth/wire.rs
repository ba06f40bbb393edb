//! The JSON iam-svc serves on its internal API and services read: verifying keys and
//! revocation events.

use chrono::{DateTime, Utc};
use credential_core::iam_token::VerifyingKey;
use serde::{Deserialize, Serialize};

/// Path of the verifying keys.
pub const KEYS_PATH: &str = "/internal/v1/token-keys";
/// Path of the revocation feed (`?after=<seq>`).
pub const REVOCATIONS_PATH: &str = "/internal/v1/revocations";

/// `GET /internal/v1/token-keys`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct KeySet {
    pub keys: Vec<VerifyingKey>,
}

/// What a revocation event invalidates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RevocationKind {
    /// One token, by token id.
    Token,
    /// Every token of a user issued at or before `revoked_at`.
    User,
}

/// One revocation, in feed order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevocationEvent {
    pub seq: i64,
    pub kind: RevocationKind,
    pub subject: String,
    pub revoked_at: DateTime<Utc>,
    /// After this instant the event no longer matters: every token it could hit expired.
    pub relevant_until: DateTime<Utc>,
}

/// `GET /internal/v1/revocations?after=<seq>`: events with `seq > after`, oldest first.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RevocationPage {
    pub events: Vec<RevocationEvent>,
    /// Pass as `after` next time.
    pub last_seq: i64,
}
