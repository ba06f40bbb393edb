//! Master key rotation in two steps, so no running replica meets a secret sealed under a
//! key it has not loaded: (1) a new key goes first in the key file and every replica is
//! restarted with it (new secrets are sealed under it, old ones still open); (2) every
//! secret sealed under an older key is re-sealed under it. Then the old lines can go.

use std::path::Path;

use credential_core::seal::Keyring;
use service_kit::db::{write_transaction, DbConnection};
use service_kit::keyfiles::{self, PrivateWrite};

use crate::error::IamError;
use crate::repo;

/// Put a new master key first in `path` (keeping the old lines), atomically.
pub fn prepend_new_master_key(path: &Path) -> Result<String, String> {
    let old = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let line = keyfiles::new_master_key_line().map_err(|e| e.to_string())?;
    let kid = line.split(' ').next().unwrap_or_default().to_string();
    let text = zeroize::Zeroizing::new(format!("{line}{old}"));
    keyfiles::write_private(path, text.as_bytes(), PrivateWrite::ReplaceAtomically)
        .map_err(|e| e.to_string())?;
    Ok(kid)
}

/// Re-seal every access key not sealed under the keyring's current key; returns how many.
pub fn reseal_access_keys(conn: &mut DbConnection, keyring: &Keyring) -> Result<usize, IamError> {
    write_transaction(conn, |conn| {
        let stale = repo::access_keys::sealed_elsewhere(conn, keyring.current_id())?;
        for key in &stale {
            let aad = key.access.as_bytes();
            let secret = keyring
                .open(&key.sealed_secret, aad)
                .map_err(|e| IamError::Internal(format!("cannot open {}: {e}", key.access)))?;
            let sealed = keyring
                .seal(&secret, aad)
                .map_err(|e| IamError::Internal(e.to_string()))?;
            repo::access_keys::set_sealed(conn, &key.access, &sealed)?;
        }
        Ok(stale.len())
    })
}
