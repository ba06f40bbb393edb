//! Checks requests signed with this service's temporary keys, through the shared rule
//! (`service_kit::auth::temporary`): open the security token with the AK, check its
//! expiry and its issuance record (revocation), then the MAC with the temporary secret
//! inside it. Serves this service's own middleware and, through
//! `POST /internal/v1/signature-checks`, every other service.

use std::sync::Arc;

use chrono::DateTime;
use credential_core::seal::Keyring;
use credential_core::security_token::{Claims, Issuer};
use service_kit::auth::temporary::{self, IssuanceRecords, IssuanceState};
use service_kit::auth::wire::SignatureCheck;
use service_kit::auth::{AuthError, IssuedKeys, IssuerVerifier, Principal};
use service_kit::db::{DbConnection, StoreError};

use crate::repo;

/// The issuer of temporary keys: running the check on the pool, the replay memory and the
/// verdict for other services are service-kit's [`IssuerVerifier`]. Cheap to clone.
pub type TemporaryKeyVerifier = IssuerVerifier<TemporaryKeys>;

/// The temporary keys: sealed into their security tokens under this keyring, with their
/// issuance records (revocation) in the database.
#[derive(Clone)]
pub struct TemporaryKeys {
    keys: temporary::TemporaryKeys<Issuances>,
}

impl TemporaryKeys {
    pub fn new(keyring: Arc<Keyring>) -> Self {
        TemporaryKeys {
            keys: temporary::TemporaryKeys::new(Issuer::LakeFormation, keyring, Issuances),
        }
    }

    pub fn keyring(&self) -> &Keyring {
        self.keys.keyring()
    }
}

/// The `issuances` table. A user or project gone reaches it through the feed
/// (`crate::revocations`); lost roles are the receiving service's feed check.
#[derive(Clone, Copy)]
pub struct Issuances;

impl IssuanceRecords for Issuances {
    fn find(
        &self,
        conn: &mut DbConnection,
        access: &str,
        _claims: &Claims,
    ) -> Result<Option<IssuanceState>, StoreError> {
        Ok(
            repo::issuance_by_access(conn, access)?.map(|i| IssuanceState {
                token_id: i.id,
                issued_at: i.issued_at.and_utc(),
                revoked: i.revoked_at.is_some(),
                roles_held: None,
            }),
        )
    }
}

impl IssuedKeys for TemporaryKeys {
    /// A key is refused from its `expires_at` on, at `now`.
    fn check_blocking(
        &self,
        conn: &mut DbConnection,
        check: &SignatureCheck,
        now: DateTime<chrono::Utc>,
    ) -> Result<Principal, AuthError> {
        self.keys.check_blocking(conn, check, now)
    }
}
