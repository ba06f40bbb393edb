//! The temporary keys iam-svc issues (`POST /v3.0/OS-CREDENTIAL/securitytokens`), checked
//! by service-kit's one rule for every issuer (`service_kit::auth::temporary`): this
//! module supplies only the issuance records, read live. A key is alive while its record
//! is (deleting its user or project deletes it), its user and domain are enabled, its
//! project is enabled, and its user still holds on the project a role it was issued
//! with; it acts with those of its roles that remain. So off-boarding reaches iam-svc's
//! keys on their next check, everywhere, since every service asks iam-svc.

use std::sync::Arc;

use credential_core::seal::Keyring;
use credential_core::security_token::{Claims, Issuer};
use service_kit::auth::temporary::{IssuanceRecords, IssuanceState, TemporaryKeys};
use service_kit::auth::IssuerVerifier;
use service_kit::db::{DbConnection, DbPool, StoreError};

use crate::repo;

/// iam-svc's temporary keys, checked on its pool with its replay memory.
pub type TemporaryKeyVerifier = IssuerVerifier<TemporaryKeys<Issuances>>;

/// The verifier of iam-svc's temporary keys, sealed under `keyring`.
pub fn verifier(pool: DbPool, keyring: Arc<Keyring>) -> TemporaryKeyVerifier {
    IssuerVerifier::new(pool, TemporaryKeys::new(Issuer::Iam, keyring, Issuances))
}

/// The `temporary_keys` table, with the live state of each key's user and project.
#[derive(Clone, Copy)]
pub struct Issuances;

impl IssuanceRecords for Issuances {
    fn find(
        &self,
        conn: &mut DbConnection,
        access: &str,
        claims: &Claims,
    ) -> Result<Option<IssuanceState>, StoreError> {
        let Some((key, enabled)) = repo::temporary_keys::find_for_check(conn, access)? else {
            return Ok(None);
        };
        let held = if enabled {
            repo::grants::project_scope(conn, &key.user_id, &key.project_id, &key.domain_id)?
                .map(|(_, roles)| roles)
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        let alive = claims.roles.iter().any(|r| held.contains(r));
        Ok(Some(IssuanceState {
            token_id: key.token_id,
            issued_at: key.issued_at.and_utc(),
            revoked: !alive,
            roles_held: Some(held),
        }))
    }
}
