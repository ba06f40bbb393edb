//! Temporary access keys, for every service that issues them (lakeformation-svc and
//! iam-svc): minting a key with its sealed security token ([`mint`]), and checking a
//! request signed with one ([`TemporaryKeys`], run by the [`IssuerVerifier`] frame like
//! any issuer's keys). The token format is `credential_core::security_token`; where the
//! issuance record lives and what else keeps a key alive is the issuer's
//! ([`IssuanceRecords`]).
//!
//! The rule of a check, the same for both issuers: the token opens with the AK under the
//! issuer's keyring and names that issuer; it has not expired at `now`; the issuance
//! record has the token's id and is alive; the MAC matches the secret inside; the scope
//! asked for is the token's project (or its domain, without roles). The principal carries
//! the key's session policy; whoever receives the request then applies iam-svc's
//! revocation feed to it (`TokenVerifier::check_temporary`) and the session policy in
//! its policy module (`crate::policy::session_allows`), without asking anyone.
//!
//! [`IssuerVerifier`]: super::IssuerVerifier

use std::sync::Arc;

use chrono::{DateTime, Utc};
use credential_core::random::{generate_access_key, generate_secret_key};
use credential_core::seal::Keyring;
use credential_core::security_token::{self, Claims, Issuer};
use credential_core::session_policy::SessionPolicy;
use credential_core::SecretString;

use super::wire::SignatureCheck;
use super::{AuthError, IssuedKeys, Principal, ProjectRef, TemporaryKey};
use crate::db::{DbConnection, StoreError};

/// What a new temporary key carries, as its issuer decided.
pub struct KeyGrant {
    pub issuer: Issuer,
    pub user_id: String,
    pub user_name: String,
    pub domain_id: String,
    pub domain_name: String,
    pub project: ProjectRef,
    pub roles: Vec<String>,
    /// LakeFormation's `user_names` and `groups` (empty for iam-svc's keys).
    pub user_names: Vec<String>,
    pub groups: Vec<String>,
    /// The session policy the key carries, checked against the known actions already.
    pub policy: Option<SessionPolicy>,
    pub expires_at: DateTime<Utc>,
}

/// A key just minted: the secret exists only here and inside the sealed token, which the
/// caller sees once. The issuer records `token_id` with `access` before handing it out.
pub struct Minted {
    pub access: String,
    pub secret: SecretString,
    pub security_token: SecretString,
    pub token_id: String,
    pub expires_at: DateTime<Utc>,
}

impl std::fmt::Debug for Minted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Minted")
            .field("access", &self.access)
            .field("token_id", &self.token_id)
            .finish_non_exhaustive()
    }
}

/// Why a key could not be minted: the system's randomness or the sealing failed.
#[derive(Debug, thiserror::Error)]
#[error("minting a temporary key: {0}")]
pub struct MintError(String);

/// A new access key and secret for `grant`, the secret sealed under `keyring` into the
/// security token.
pub fn mint(keyring: &Keyring, grant: KeyGrant) -> Result<Minted, MintError> {
    let access = generate_access_key().map_err(|e| MintError(e.to_string()))?;
    let secret = generate_secret_key().map_err(|e| MintError(e.to_string()))?;
    let claims = Claims {
        issuer: grant.issuer,
        token_id: uuid::Uuid::new_v4().simple().to_string(),
        secret: secret.expose().to_string(),
        user_id: grant.user_id,
        user_name: grant.user_name,
        domain_id: grant.domain_id,
        domain_name: grant.domain_name,
        project_id: grant.project.id,
        project_name: grant.project.name,
        roles: grant.roles,
        user_names: grant.user_names,
        groups: grant.groups,
        policy: grant.policy,
        expires_at: grant.expires_at,
    };
    let security_token =
        security_token::seal(keyring, &access, &claims).map_err(|e| MintError(e.to_string()))?;
    Ok(Minted {
        access,
        secret,
        security_token,
        token_id: claims.token_id.clone(),
        expires_at: claims.expires_at,
    })
}

/// What an issuer's record says of a key now.
pub struct IssuanceState {
    /// The token id recorded at issue; a token with another id is not this record's.
    pub token_id: String,
    pub issued_at: DateTime<Utc>,
    /// Revoked, or dead for another reason the issuer knows (its user, project or domain
    /// gone or disabled).
    pub revoked: bool,
    /// The roles the key's user holds on its project now, when the issuer reads them
    /// live (iam-svc): the key acts with those of its own that remain. `None` when the
    /// issuer leaves lost roles to the revocation feed (lakeformation-svc).
    pub roles_held: Option<Vec<String>>,
}

/// Where an issuer keeps its issuance records.
pub trait IssuanceRecords: Clone + Send + Sync + 'static {
    /// The record of the key `access` whose token opened to `claims`, if any.
    /// Blocking: it runs on a worker thread with `conn`.
    fn find(
        &self,
        conn: &mut DbConnection,
        access: &str,
        claims: &Claims,
    ) -> Result<Option<IssuanceState>, StoreError>;
}

/// One issuer's temporary keys: sealed into their tokens under `keyring`, recorded in
/// `records`. Cheap to clone.
#[derive(Clone)]
pub struct TemporaryKeys<R> {
    issuer: Issuer,
    keyring: Arc<Keyring>,
    records: R,
}

impl<R: IssuanceRecords> TemporaryKeys<R> {
    pub fn new(issuer: Issuer, keyring: Arc<Keyring>, records: R) -> Self {
        TemporaryKeys {
            issuer,
            keyring,
            records,
        }
    }

    /// The keyring new keys are sealed under.
    pub fn keyring(&self) -> &Keyring {
        &self.keyring
    }

    /// The issuer these keys name.
    pub fn issuer(&self) -> Issuer {
        self.issuer
    }

    /// Mint a key of this issuer (see [`mint`]).
    pub fn mint(&self, grant: KeyGrant) -> Result<Minted, MintError> {
        mint(
            &self.keyring,
            KeyGrant {
                issuer: self.issuer,
                ..grant
            },
        )
    }
}

impl<R: IssuanceRecords> IssuedKeys for TemporaryKeys<R> {
    /// A key is refused from its `expires_at` on, at `now`.
    fn check_blocking(
        &self,
        conn: &mut DbConnection,
        check: &SignatureCheck,
        now: DateTime<Utc>,
    ) -> Result<Principal, AuthError> {
        let token = check
            .security_token
            .as_deref()
            .ok_or(AuthError::SecurityTokenRefused)?;
        let claims = security_token::open(&self.keyring, &check.access, token)
            .map_err(|_| AuthError::SecurityTokenRefused)?;
        if claims.issuer != self.issuer || claims.expires_at <= now {
            return Err(AuthError::SecurityTokenRefused);
        }
        let record = self
            .records
            .find(conn, &check.access, &claims)
            .map_err(|e| AuthError::IssuerUnavailable(e.to_string()))?
            .ok_or(AuthError::SecurityTokenRefused)?;
        if record.token_id != claims.token_id || record.revoked {
            return Err(AuthError::SecurityTokenRefused);
        }
        if !check.mac_matches(claims.secret.as_bytes())? {
            return Err(AuthError::SignatureMismatch);
        }
        principal(check, &claims, record)
    }
}

/// The principal a checked key stands for, in the scope `check` asks.
fn principal(
    check: &SignatureCheck,
    claims: &Claims,
    record: IssuanceState,
) -> Result<Principal, AuthError> {
    // A temporary key acts in the one project it was issued for, with the roles it was
    // issued with there, and holds no role on its domain (account). A request scoped to
    // the domain, by id or as its own (Tencent's account-wide APIs), gets the principal
    // without roles: answering with project roles would hand them out as account roles.
    if check
        .project_id
        .as_deref()
        .is_some_and(|p| p != claims.project_id)
        || check
            .domain_id
            .as_deref()
            .is_some_and(|d| d != claims.domain_id)
    {
        return Err(AuthError::ScopeRefused);
    }
    let domain_scoped = check.own_domain || check.domain_id.is_some() && check.project_id.is_none();
    let (project, roles) = if domain_scoped {
        (None, Vec::new())
    } else {
        let mut roles = claims.roles.clone();
        if let Some(held) = &record.roles_held {
            roles.retain(|r| held.contains(r));
            if roles.is_empty() {
                return Err(AuthError::ScopeRefused);
            }
        }
        let project = ProjectRef {
            id: claims.project_id.clone(),
            name: claims.project_name.clone(),
        };
        (Some(project), roles)
    };
    Ok(Principal {
        user_id: claims.user_id.clone(),
        user_name: claims.user_name.clone(),
        domain_id: claims.domain_id.clone(),
        domain_name: claims.domain_name.clone(),
        project,
        roles,
        access_key: Some(check.access.clone()),
        temporary: Some(TemporaryKey {
            issued_at: record.issued_at,
            expires_at: claims.expires_at,
            policy: claims.policy.clone(),
        }),
        token: None,
    })
}
