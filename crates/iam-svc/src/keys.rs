//! Key material from files named in configuration: the token signing keys and the
//! internal credential. In development mode a missing file is generated (loudly); in
//! production it stops the start.

use std::fs;
use std::io::Write;
use std::path::Path;

use base64::Engine;
use credential_core::iam_token::{TokenSigningKey, VerifyingKey};
use credential_core::SecretString;
use service_kit::config::Mode;

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
    #[error("{path} is missing; production mode never generates keys (run `iam-svc gen-keys` on a trusted host, or provide the file)")]
    MissingInProduction { path: String },
}

fn file_error(path: &Path, cause: impl ToString) -> KeyError {
    KeyError::File { path: path.display().to_string(), cause: cause.to_string() }
}

/// Load the signing keys; in development, create the file first if it is missing.
pub fn load_signing_keys(path: &Path, mode: Mode) -> Result<SigningKeys, KeyError> {
    if !path.exists() {
        if mode == Mode::Production {
            return Err(KeyError::MissingInProduction { path: path.display().to_string() });
        }
        generate_signing_key_file(path)?;
    }
    let text = fs::read_to_string(path).map_err(|e| file_error(path, e))?;
    let mut keys = Vec::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#')) {
        let (kid, pkcs8) = line
            .trim()
            .split_once(' ')
            .ok_or_else(|| file_error(path, format!("line {}: expected `<kid> <base64 pkcs8>`", n + 1)))?;
        let der = B64
            .decode(pkcs8.trim())
            .map_err(|_| file_error(path, format!("line {}: not base64", n + 1)))?;
        let key = TokenSigningKey::from_pkcs8(kid, &der)
            .map_err(|e| file_error(path, format!("line {}: {e}", n + 1)))?;
        keys.push(key);
    }
    let mut keys = keys.into_iter();
    let current = keys.next().ok_or_else(|| file_error(path, "no key in file"))?;
    let mut verifying = vec![current.public_key()];
    verifying.extend(keys.map(|k| k.public_key()));
    Ok(SigningKeys { current, verifying })
}

/// Write a new signing key file (mode 0600) if none exists.
pub fn generate_signing_key_file(path: &Path) -> Result<(), KeyError> {
    let pkcs8 = TokenSigningKey::generate_pkcs8().map_err(|e| file_error(path, e))?;
    let kid = format!("k{}", chrono::Utc::now().format("%Y%m%d%H%M%S"));
    let line = format!("{kid} {}\n", B64.encode(&pkcs8[..]));
    log::warn!(
        "DEVELOPMENT KEY: generated token signing key {} — do not use it in production",
        path.display()
    );
    write_private(path, line.as_bytes())
}

/// Load the internal credential; in development, create it first if it is missing.
pub fn load_internal_credential(path: &Path, mode: Mode) -> Result<SecretString, KeyError> {
    if !path.exists() {
        if mode == Mode::Production {
            return Err(KeyError::MissingInProduction { path: path.display().to_string() });
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
        write_private(path, secret.as_bytes())?;
    }
    let text = fs::read_to_string(path).map_err(|e| file_error(path, e))?;
    let secret = text.trim();
    if secret.len() < 32 {
        return Err(file_error(path, "the internal credential must be at least 32 characters"));
    }
    Ok(SecretString::from(secret))
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<(), KeyError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(|e| file_error(dir, e))?;
    }
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|e| file_error(path, e))?;
    file.write_all(bytes).map_err(|e| file_error(path, e))
}
