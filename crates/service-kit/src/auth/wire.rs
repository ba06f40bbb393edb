//! The JSON iam-svc serves on its internal API and services read: verifying keys and
//! revocation events.

use chrono::{DateTime, Utc};
use credential_core::iam_token::VerifyingKey;
use serde::{Deserialize, Serialize};

use super::{AuthError, Principal};

/// Path of the verifying keys.
pub const KEYS_PATH: &str = "/internal/v1/token-keys";
/// Path of the revocation feed (`?after=<seq>`).
pub const REVOCATIONS_PATH: &str = "/internal/v1/revocations";
/// Path of the signature check (`POST`).
pub const SIGNATURE_CHECKS_PATH: &str = "/internal/v1/signature-checks";

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
    /// Every token and temporary key of a user issued at or before `revoked_at`: the
    /// user's password changed.
    User,
    /// Every credential of a user created at or before `revoked_at` (tokens, temporary
    /// keys, registry credentials, instance tokens): the user was disabled or deleted,
    /// their domain was disabled, or they lost a role or a group (a stored credential keeps
    /// the rights its user had when it was made). Services that store credentials revoke
    /// them durably.
    UserAccess,
    /// Every credential scoped to a project, created at or before `revoked_at`: the
    /// project was deleted.
    Project,
    /// Every credential of a domain (account) that belongs to no user, created at or
    /// before `revoked_at`: TCR service accounts of its registries. The domain was
    /// disabled; its users' own credentials go with their `UserAccess` events.
    Domain,
}

impl RevocationKind {
    /// The name stored in iam-svc's feed table.
    pub fn as_str(self) -> &'static str {
        match self {
            RevocationKind::Token => "token",
            RevocationKind::User => "user",
            RevocationKind::UserAccess => "user_access",
            RevocationKind::Project => "project",
            RevocationKind::Domain => "domain",
        }
    }

    /// The kind stored as `name`, if any.
    pub fn parse(name: &str) -> Option<RevocationKind> {
        Some(match name {
            "token" => RevocationKind::Token,
            "user" => RevocationKind::User,
            "user_access" => RevocationKind::UserAccess,
            "project" => RevocationKind::Project,
            "domain" => RevocationKind::Domain,
            _ => return None,
        })
    }

    /// Whether services that store credentials must revoke them (a user, project or
    /// domain gone), rather than only stop accepting tokens.
    pub fn is_durable(self) -> bool {
        matches!(
            self,
            RevocationKind::UserAccess | RevocationKind::Project | RevocationKind::Domain
        )
    }
}

/// How long a durable event (`UserAccess`, `Project`, `Domain`) stays in the feed: long enough for
/// every service, even one that was down for weeks, to revoke what it stores.
pub const DURABLE_EVENT_RELEVANCE: chrono::Duration = chrono::Duration::days(30);

/// How long after a durable event's `revoked_at` a stored credential still counts as
/// created before it. A replica that has not yet pulled the event may accept its user's
/// token and create a credential for up to the feed's polling interval (and at most the
/// verifier's staleness bound, after which it refuses every token); this margin catches
/// those, at the price of a user re-enabled within it losing what they made meanwhile.
pub const DURABLE_EVENT_GRACE: chrono::Duration = chrono::Duration::seconds(90);

impl RevocationEvent {
    /// For a durable event: credentials created at or before this instant are revoked.
    pub fn durable_cutoff(&self) -> DateTime<Utc> {
        self.revoked_at + DURABLE_EVENT_GRACE
    }
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

/// The signature algorithms the issuers check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SignatureAlgorithm {
    /// Huawei SDK-HMAC-SHA256: HMAC of the string to sign with the SK itself.
    #[serde(rename = "SDK-HMAC-SHA256")]
    SdkHmacSha256,
    /// Tencent TC3-HMAC-SHA256: HMAC with a key derived from the SK, date and service.
    #[serde(rename = "TC3-HMAC-SHA256")]
    Tc3HmacSha256,
    /// Tencent's legacy v1 signature: base64 of HMAC-SHA256 with the SK itself.
    #[serde(rename = "HmacSHA256")]
    TencentV1HmacSha256,
    /// Tencent's legacy v1 signature with HMAC-SHA1; the receiving service decides
    /// whether it accepts it at all.
    #[serde(rename = "HmacSHA1")]
    TencentV1HmacSha1,
}

/// `POST /internal/v1/signature-checks`: the receiving service built the string to sign
/// and checked the clock; the issuer, which alone holds the secret, checks the MAC.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SignatureCheck {
    pub algorithm: SignatureAlgorithm,
    pub access: String,
    pub string_to_sign: String,
    pub signature: String,
    /// TC3 only: the credential scope's date (`YYYY-MM-DD`) and service.
    #[serde(default)]
    pub tc3_date: Option<String>,
    #[serde(default)]
    pub tc3_service: Option<String>,
    /// The scope asked for (`X-Project-Id` / `X-Domain-Id`).
    #[serde(default)]
    pub project_id: Option<String>,
    #[serde(default)]
    pub domain_id: Option<String>,
    /// Scope to the key's own domain (account), whatever its id: Tencent requests name no
    /// project or account, and TCR registries belong to the account.
    #[serde(default)]
    pub own_domain: bool,
    /// The security token sent with temporary keys (`X-Security-Token` / `X-TC-Token`).
    #[serde(default)]
    pub security_token: Option<String>,
    /// What the issuer does with a signature it accepted before.
    #[serde(default)]
    pub replay: Replay,
}

/// How an issuer treats a signature it has accepted before (see
/// [`replay`](super::replay)). The receiving service, which knows what the request does,
/// says which.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Replay {
    /// A read whose signature covers everything that chooses what it reads (a Huawei
    /// GET; a Tencent read whose action is signed). Sent again, it only reads again, and
    /// clients that poll sign the same request within one second: not recorded.
    Repeatable,
    /// A write: sent again it would act again, and could hand a new secret to whoever
    /// captured it. Accepted once.
    #[default]
    Once,
    /// A read whose signature leaves its action out (the Tencent SDKs sign neither
    /// `X-TC-Action` nor the version, so two actions with the same body in the same second
    /// carry the same signature). Never refused, since reading again, or reading something
    /// else with the caller's own rights, gives nothing away; but recorded, so the same
    /// signature is refused for a write: a captured read cannot be replayed as a create.
    Read,
    /// A request whose signature covers a nonce of the client's: Tencent's v1 `Nonce` with
    /// its `Timestamp`, held here as `<Nonce>/<Timestamp>`. The key uses each once, whatever
    /// the action and whatever else the request says, with no same-second grace: the SDKs
    /// draw a new nonce for every request, retries included, so a second use is a replay.
    Unique(String),
}

impl SignatureCheck {
    /// Whether the signature is the MAC of the string to sign under `secret_key`, by the
    /// check's algorithm (compared in constant time). Only issuers, which hold the secret,
    /// call this.
    pub fn mac_matches(&self, secret_key: &[u8]) -> Result<bool, AuthError> {
        use credential_core::sign::tencent_v1::{self, V1Method};
        use credential_core::sign::{huawei, tencent};
        Ok(match self.algorithm {
            SignatureAlgorithm::SdkHmacSha256 => {
                huawei::verify(secret_key, &self.string_to_sign, &self.signature)
            }
            SignatureAlgorithm::TencentV1HmacSha256 => tencent_v1::verify(
                secret_key,
                V1Method::HmacSha256,
                &self.string_to_sign,
                &self.signature,
            ),
            SignatureAlgorithm::TencentV1HmacSha1 => tencent_v1::verify(
                secret_key,
                V1Method::HmacSha1,
                &self.string_to_sign,
                &self.signature,
            ),
            SignatureAlgorithm::Tc3HmacSha256 => {
                let (Some(date), Some(service)) = (&self.tc3_date, &self.tc3_service) else {
                    return Err(AuthError::MalformedSignature(
                        "TC3 needs a date and a service".into(),
                    ));
                };
                tencent::verify(
                    secret_key,
                    date,
                    service,
                    &self.string_to_sign,
                    &self.signature,
                )
            }
        })
    }
}

/// Why an issuer refused a signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    UnknownAccessKey,
    InactiveAccessKey,
    SignatureMismatch,
    SecurityTokenRefused,
    ScopeRefused,
    Malformed,
    Replayed,
}

/// The answer to a signature check.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
// Built once per signed request and serialised at once; a box would only add an allocation.
#[allow(clippy::large_enum_variant)]
pub enum SignatureVerdict {
    Accepted(Principal),
    Refused(Refusal),
}

impl From<Refusal> for AuthError {
    fn from(r: Refusal) -> AuthError {
        match r {
            Refusal::UnknownAccessKey => AuthError::UnknownAccessKey,
            Refusal::InactiveAccessKey => AuthError::InactiveAccessKey,
            Refusal::SignatureMismatch => AuthError::SignatureMismatch,
            Refusal::SecurityTokenRefused => AuthError::SecurityTokenRefused,
            Refusal::ScopeRefused => AuthError::ScopeRefused,
            Refusal::Malformed => AuthError::MalformedSignature("refused by the issuer".into()),
            Refusal::Replayed => AuthError::SignatureReplayed,
        }
    }
}

impl Refusal {
    /// The refusal an issuer reports for an error, if it is one the caller caused.
    pub fn from_auth_error(e: &AuthError) -> Option<Refusal> {
        Some(match e {
            AuthError::UnknownAccessKey => Refusal::UnknownAccessKey,
            AuthError::InactiveAccessKey => Refusal::InactiveAccessKey,
            AuthError::SignatureMismatch => Refusal::SignatureMismatch,
            AuthError::SecurityTokenRefused => Refusal::SecurityTokenRefused,
            AuthError::ScopeRefused => Refusal::ScopeRefused,
            AuthError::MalformedSignature(_) => Refusal::Malformed,
            AuthError::SignatureReplayed => Refusal::Replayed,
            _ => return None,
        })
    }
}

/// Path of the signature release (`POST`, answers 204): the request a signature was
/// accepted for failed, so the issuer forgets it and the same request may come again.
pub const SIGNATURE_RELEASES_PATH: &str = "/internal/v1/signature-releases";

/// `POST /internal/v1/signature-releases`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SignatureRelease {
    pub access: String,
    pub signature: String,
    /// Whether the request carried a security token: which issuer accepted it.
    #[serde(default)]
    pub temporary: bool,
}

/// Path of the directory check (`POST`): which user and group names a domain has.
pub const DIRECTORY_CHECKS_PATH: &str = "/internal/v1/directory-checks";

/// `POST /internal/v1/directory-checks`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DirectoryCheck {
    pub domain_id: String,
    #[serde(default)]
    pub user_names: Vec<String>,
    #[serde(default)]
    pub groups: Vec<String>,
}

/// The names the domain does not have.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryAnswer {
    pub missing_user_names: Vec<String>,
    pub missing_groups: Vec<String>,
}
