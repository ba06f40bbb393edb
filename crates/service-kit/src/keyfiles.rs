//! Key material from files named in configuration: IAM token signing keys, sealing
//! keyrings (`<key id> <base64>` lines, the first one seals) and the internal credential.
//! In development mode a missing file is generated (loudly); in production it stops the
//! start. Every file only its owner may read is written by [`write_private`].

mod private_file;

use std::fs;
use std::path::Path;

use crate::config::Mode;
use base64::Engine;
use credential_core::iam_token::{TokenSigningKey, VerifyingKey};
use credential_core::seal::{Keyring, SealingKey};
use credential_core::SecretString;

pub use private_file::{write_private, PrivateFileError, PrivateWrite};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// The signing key plus every key still accepted for verification (rotation).
pub struct SigningKeys {
    pub current: TokenSigningKey,
    pub verifying: Vec<VerifyingKey>,
}

/// Why key material could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("{path}: {cause}")]
    File { path: String, cause: String },
    #[error("{path} is missing; production mode never generates keys: provide the file (docs/operations.md says how to make each one)")]
    MissingInProduction { path: String },
}

fn file_error(path: &Path, cause: impl ToString) -> KeyError {
    KeyError::File {
        path: path.display().to_string(),
        cause: cause.to_string(),
    }
}

/// Load the signing keys; in development, create the file first if it is missing.
pub fn load_signing_keys(path: &Path, mode: Mode) -> Result<SigningKeys, KeyError> {
    if !path.exists() {
        if mode == Mode::Production {
            return Err(KeyError::MissingInProduction {
                path: path.display().to_string(),
            });
        }
        generate_signing_key_file(path)?;
    }
    let mut keys = Vec::new();
    for (n, kid, der) in read_key_lines(path)? {
        let key = TokenSigningKey::from_pkcs8(kid, &der)
            .map_err(|e| file_error(path, format!("line {n}: {e}")))?;
        keys.push(key);
    }
    let mut keys = keys.into_iter();
    let current = keys
        .next()
        .ok_or_else(|| file_error(path, "no key in file"))?;
    let mut verifying = vec![current.public_key()];
    verifying.extend(keys.map(|k| k.public_key()));
    Ok(SigningKeys { current, verifying })
}

/// One key file line: its number, the key id and the decoded key bytes.
type KeyLine = (usize, String, zeroize::Zeroizing<Vec<u8>>);

/// The `<key id> <base64>` lines of a key file, numbered, without comments or blanks.
fn read_key_lines(path: &Path) -> Result<Vec<KeyLine>, KeyError> {
    let text = zeroize::Zeroizing::new(fs::read_to_string(path).map_err(|e| file_error(path, e))?);
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (kid, b64) = line.split_once(' ').ok_or_else(|| {
            file_error(
                path,
                format!("line {}: expected `<key id> <base64>`", i + 1),
            )
        })?;
        let bytes = B64
            .decode(b64.trim())
            .map_err(|_| file_error(path, format!("line {}: not base64", i + 1)))?;
        out.push((i + 1, kid.to_string(), zeroize::Zeroizing::new(bytes)));
    }
    Ok(out)
}

/// Load the master keyring that seals secret keys; in development, create it first.
pub fn load_master_keyring(path: &Path, mode: Mode) -> Result<Keyring, KeyError> {
    if !path.exists() {
        if mode == Mode::Production {
            return Err(KeyError::MissingInProduction {
                path: path.display().to_string(),
            });
        }
        log::warn!(
            "DEVELOPMENT KEY: generated master key {} — do not use it in production",
            path.display()
        );
        create_private(path, new_master_key_line()?.as_bytes())?;
    }
    let mut keys = Vec::new();
    for (n, kid, bytes) in read_key_lines(path)? {
        let key: [u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| file_error(path, format!("line {n}: a master key is 32 bytes")))?;
        keys.push(
            SealingKey::new(kid, key).map_err(|e| file_error(path, format!("line {n}: {e}")))?,
        );
    }
    let mut keys = keys.into_iter();
    let current = keys
        .next()
        .ok_or_else(|| file_error(path, "no key in file"))?;
    Keyring::new(current, keys.collect()).map_err(|e| file_error(path, e))
}

/// A new `<key id> <base64>` master key line; put it first in the file to rotate.
pub fn new_master_key_line() -> Result<String, KeyError> {
    let kid = new_key_id('m').map_err(|e| KeyError::File {
        path: "master key".into(),
        cause: e.to_string(),
    })?;
    let key = SealingKey::generate(kid.clone()).map_err(|e| KeyError::File {
        path: "master key".into(),
        cause: e.to_string(),
    })?;
    Ok(format!("{kid} {}\n", key.to_base64().expose()))
}

/// Write a new signing key file (mode 0600) if none exists.
pub fn generate_signing_key_file(path: &Path) -> Result<(), KeyError> {
    let pkcs8 = TokenSigningKey::generate_pkcs8().map_err(|e| file_error(path, e))?;
    let kid = new_key_id('k').map_err(|e| file_error(path, e))?;
    let line = format!("{kid} {}\n", B64.encode(&pkcs8[..]));
    log::warn!(
        "DEVELOPMENT KEY: generated token signing key {} — do not use it in production",
        path.display()
    );
    create_private(path, line.as_bytes())
}

/// A key id that sorts by creation time and never repeats: `k20261122T063000-x7q2`.
fn new_key_id(kind: char) -> Result<String, credential_core::random::RandomError> {
    let suffix =
        credential_core::random::random_alphanumeric(4, b"abcdefghijklmnopqrstuvwxyz0123456789")?;
    Ok(format!(
        "{kind}{}-{suffix}",
        crate::clock::Clock::system().now().format("%Y%m%dT%H%M%S")
    ))
}

/// Read the internal credential another service shares with iam-svc, which owns the
/// file: it is never generated here.
pub fn read_internal_credential(path: &Path) -> Result<crate::auth::InternalCredential, String> {
    let text = zeroize::Zeroizing::new(fs::read_to_string(path).map_err(|e| {
        format!(
            "{}: {e} (the internal credential iam-svc uses; start iam-svc first)",
            path.display()
        )
    })?);
    let secret =
        checked_internal_secret(&text).map_err(|why| format!("{}: {why}", path.display()))?;
    Ok(crate::auth::InternalCredential::new(SecretString::from(
        secret,
    )))
}

/// The shortest internal credential any service accepts: a shorter (or empty) one would
/// let a guessed or empty `X-Internal-Token` through.
pub const MIN_INTERNAL_CREDENTIAL_CHARS: usize = 32;

/// The credential in a file's text, if it is long enough.
fn checked_internal_secret(text: &str) -> Result<&str, &'static str> {
    let secret = text.trim();
    if secret.chars().count() < MIN_INTERNAL_CREDENTIAL_CHARS {
        return Err("the internal credential must be at least 32 characters");
    }
    Ok(secret)
}

/// Load the internal credential; in development, create it first if it is missing.
pub fn load_internal_credential(path: &Path, mode: Mode) -> Result<SecretString, KeyError> {
    if !path.exists() {
        if mode == Mode::Production {
            return Err(KeyError::MissingInProduction {
                path: path.display().to_string(),
            });
        }
        let secret = credential_core::random::random_alphanumeric(
            48,
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
        )
        .map_err(|e| file_error(path, e))?;
        log::warn!(
            "DEVELOPMENT KEY: generated internal credential {} — do not use it in production",
            path.display()
        );
        create_private(path, secret.as_bytes())?;
    }
    let text = fs::read_to_string(path).map_err(|e| file_error(path, e))?;
    let secret = checked_internal_secret(&text).map_err(|why| file_error(path, why))?;
    Ok(SecretString::from(secret))
}

/// A generated key file: created, never written over.
fn create_private(path: &Path, bytes: &[u8]) -> Result<(), KeyError> {
    write_private(path, bytes, PrivateWrite::CreateNew).map_err(|e| file_error(&e.path, e.source))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reader_refuses_a_short_internal_credential() {
        let dir = std::env::temp_dir().join(format!("internal-{}", uuid::Uuid::new_v4()));
        fs::create_dir_all(&dir).unwrap();
        for (text, ok) in [
            ("", false),
            ("   \n", false),
            (&"x".repeat(31), false),
            (&format!(" {}\n", "x".repeat(32)), true),
        ] {
            let path = dir.join("credential");
            fs::write(&path, text).unwrap();
            assert_eq!(read_internal_credential(&path).is_ok(), ok, "{text:?}");
            assert_eq!(
                load_internal_credential(&path, Mode::Production).is_ok(),
                ok,
                "{text:?}"
            );
        }
        fs::remove_dir_all(&dir).unwrap();
    }
}
