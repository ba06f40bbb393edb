//! Checks requests signed with temporary keys: open the security token with the AK,
//! check its expiry and its issuance record (revocation), then the MAC with the temporary
//! secret inside it. Serves this service's own middleware and, through
//! `POST /internal/v1/signature-checks`, every other service.

use std::sync::Arc;

use credential_core::seal::Keyring;
use futures_util::future::LocalBoxFuture;
use service_kit::auth::replay;
use service_kit::auth::wire::{Refusal, SignatureCheck, SignatureRelease, SignatureVerdict};
use service_kit::auth::{AuthError, Principal, ProjectRef, SignatureVerifier, TemporaryKey};
use service_kit::clock::Clock;
use service_kit::db::{DbConnection, DbPool};

use crate::{repo, security_token};

/// The issuer of temporary keys. Cheap to clone.
#[derive(Clone)]
pub struct TemporaryKeyVerifier {
    pool: DbPool,
    keyring: Arc<Keyring>,
    /// A key is refused from its `expires_at` on, by this clock.
    clock: Clock,
}

impl TemporaryKeyVerifier {
    /// An issuer on the system clock.
    pub fn new(pool: DbPool, keyring: Arc<Keyring>) -> Self {
        TemporaryKeyVerifier {
            pool,
            keyring,
            clock: Clock::system(),
        }
    }

    /// The same issuer, judging expiry by `clock`.
    pub fn with_clock(self, clock: Clock) -> Self {
        TemporaryKeyVerifier { clock, ..self }
    }

    pub fn keyring(&self) -> &Keyring {
        &self.keyring
    }

    /// The answer to another service's check: the principal, or a refusal that service
    /// relays to its caller. `Err` when this issuer cannot judge (its store is out of
    /// reach): that is not the key's fault, and must not read as a refusal.
    pub async fn verdict(&self, check: SignatureCheck) -> Result<SignatureVerdict, AuthError> {
        match SignatureVerifier::check(self, check).await {
            Ok(principal) => Ok(SignatureVerdict::Accepted(principal)),
            Err(e) => match Refusal::from_auth_error(&e) {
                Some(refusal) => Ok(SignatureVerdict::Refused(refusal)),
                None => Err(e),
            },
        }
    }

    fn check_blocking(
        &self,
        conn: &mut DbConnection,
        check: &SignatureCheck,
    ) -> Result<Principal, AuthError> {
        let token = check
            .security_token
            .as_deref()
            .ok_or(AuthError::SecurityTokenRefused)?;
        let body = security_token::open(&self.keyring, &check.access, token)
            .map_err(|_| AuthError::SecurityTokenRefused)?;
        if body.expires_at <= self.clock.now() {
            return Err(AuthError::SecurityTokenRefused);
        }
        let issuance = repo::issuance_by_access(conn, &check.access)
            .map_err(|e| AuthError::IssuerUnavailable(e.to_string()))?
            .ok_or(AuthError::SecurityTokenRefused)?;
        if issuance.id != body.token_id || issuance.revoked_at.is_some() {
            return Err(AuthError::SecurityTokenRefused);
        }
        let matches = check.mac_matches(body.secret.as_bytes())?;
        if !matches {
            return Err(AuthError::SignatureMismatch);
        }
        // A temporary key acts in the one project it was issued for, with the roles it
        // was issued with there, and holds no role on its domain (account). A request
        // scoped to the domain, by id or as its own (Tencent's account-wide APIs), gets the
        // principal without roles: answering with project roles would hand them out as
        // account roles.
        if check
            .project_id
            .as_deref()
            .is_some_and(|p| p != body.project_id)
            || check
                .domain_id
                .as_deref()
                .is_some_and(|d| d != body.domain_id)
        {
            return Err(AuthError::ScopeRefused);
        }
        let domain_scoped =
            check.own_domain || check.domain_id.is_some() && check.project_id.is_none();
        let (project, roles) = if domain_scoped {
            (None, Vec::new())
        } else {
            let project = ProjectRef {
                id: body.project_id.clone(),
                name: body.project_name.clone(),
            };
            (Some(project), body.roles.clone())
        };
        Ok(Principal {
            user_id: body.user_id.clone(),
            user_name: body.user_name.clone(),
            domain_id: body.domain_id.clone(),
            domain_name: body.domain_name.clone(),
            project,
            roles,
            access_key: Some(check.access.clone()),
            temporary: Some(TemporaryKey {
                issued_at: issuance.issued_at.and_utc(),
                expires_at: body.expires_at,
            }),
            token: None,
        })
    }
}

impl SignatureVerifier for TemporaryKeyVerifier {
    fn check(&self, check: SignatureCheck) -> LocalBoxFuture<'_, Result<Principal, AuthError>> {
        let verifier = self.clone();
        Box::pin(async move {
            let (principal, check) = actix_web::web::block(move || {
                let mut conn = verifier
                    .pool
                    .get()
                    .map_err(|e| AuthError::IssuerUnavailable(e.to_string()))?;
                let principal = verifier.check_blocking(&mut conn, &check)?;
                Ok::<_, AuthError>((principal, check))
            })
            .await
            .map_err(|e| AuthError::IssuerUnavailable(e.to_string()))??;
            replay::accept_once_at(&self.pool, &check, self.clock.now()).await?;
            Ok(principal)
        })
    }

    fn release(&self, release: SignatureRelease) -> LocalBoxFuture<'_, Result<(), AuthError>> {
        Box::pin(async move { replay::release(&self.pool, &release).await })
    }
}
