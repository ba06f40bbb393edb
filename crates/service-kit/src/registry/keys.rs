//! The registry token signing key (PKCS#8 PEM) and its certificate (PEM), which registries
//! list in `auth.token.rootcertbundle`.
//!
//! Development mode generates a missing pair (a self-signed P-256 certificate, the key
//! file 0600) and says so loudly; production mode refuses to start without both files.
//! A pair where only one file exists is refused in both modes: generating the other half
//! would never match.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use credential_core::registry_jwt::{RegistryJwtError, RegistrySigner};
use credential_core::SecretString;
use rcgen::{CertificateParams, DistinguishedName, DnType, KeyPair, PKCS_ECDSA_P256_SHA256};

use super::token::RegistryTokenIssuer;
use crate::clock::Clock;
use crate::config::Mode;
use crate::keyfiles::{write_private, PrivateWrite};

/// Why the registry signing key could not be had.
#[derive(Debug, thiserror::Error)]
pub enum RegistryKeyError {
    /// Production mode and no key files.
    #[error("registry token signing key {key} and certificate {certificate} are missing; production mode never generates them")]
    Missing { key: PathBuf, certificate: PathBuf },
    /// One of the two files exists without the other.
    #[error("registry token {found} exists but {missing} does not: provide both, or (development only) remove both to generate a new pair")]
    Incomplete { found: PathBuf, missing: PathBuf },
    /// A file could not be read or written.
    #[error("registry token key file {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// The files do not hold a usable P-256 key and matching certificate.
    #[error("registry token key {key} / certificate {certificate}: {source}")]
    Invalid {
        key: PathBuf,
        certificate: PathBuf,
        #[source]
        source: RegistryJwtError,
    },
    /// rcgen could not make a key or certificate.
    #[error("generating a development registry key: {0}")]
    Generate(String),
}

/// A fresh P-256 key (PKCS#8 PEM, `PRIVATE KEY`) and a self-signed certificate for it
/// (PEM) with `common_name` as subject, for development and tests.
pub fn generate_dev_key_and_cert(common_name: &str) -> Result<(String, String), RegistryKeyError> {
    let generate = |e: rcgen::Error| RegistryKeyError::Generate(e.to_string());
    let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).map_err(generate)?;
    let mut params = CertificateParams::new(Vec::<String>::new()).map_err(generate)?;
    let mut subject = DistinguishedName::new();
    subject.push(DnType::CommonName, common_name);
    params.distinguished_name = subject;
    let certificate = params.self_signed(&key).map_err(generate)?;
    Ok((key.serialize_pem(), certificate.pem()))
}

/// Load the signer from `key_path` and `certificate_path`; in development mode, first
/// generate both files when both are missing.
pub fn load_or_generate(
    key_path: impl AsRef<Path>,
    certificate_path: impl AsRef<Path>,
    mode: Mode,
    common_name: &str,
) -> Result<RegistrySigner, RegistryKeyError> {
    let (key_path, certificate_path) = (key_path.as_ref(), certificate_path.as_ref());
    match (exists(key_path)?, exists(certificate_path)?) {
        (true, true) => {}
        (false, false) if mode == Mode::Development => {
            write_dev_pair(key_path, certificate_path, common_name)?
        }
        (false, false) => {
            return Err(RegistryKeyError::Missing {
                key: key_path.to_path_buf(),
                certificate: certificate_path.to_path_buf(),
            })
        }
        (true, false) => return Err(incomplete(key_path, certificate_path)),
        (false, true) => return Err(incomplete(certificate_path, key_path)),
    }
    let key_pem = SecretString::new(read(key_path)?);
    let certificate_pem = read(certificate_path)?;
    RegistrySigner::from_pem(key_pem.expose(), &certificate_pem).map_err(|source| {
        RegistryKeyError::Invalid {
            key: key_path.to_path_buf(),
            certificate: certificate_path.to_path_buf(),
            source,
        }
    })
}

fn write_dev_pair(
    key_path: &Path,
    certificate_path: &Path,
    common_name: &str,
) -> Result<(), RegistryKeyError> {
    let (key_pem, certificate_pem) = generate_dev_key_and_cert(common_name)?;
    let key_pem = SecretString::new(key_pem);
    // A key another process created meanwhile is kept, as `write_new` keeps a certificate.
    let key = key_pem.expose().as_bytes();
    match write_private(key_path, key, PrivateWrite::CreateNew) {
        Err(e) if !e.already_exists() => return Err(io_error(&e.path, e.source)),
        _ => {}
    }
    write_new(certificate_path, &certificate_pem, 0o644)?;
    log::warn!(
        "DEVELOPMENT registry token key generated: {} (certificate {}). Registries that trust \
         this certificate accept every token signed with this key; production mode needs real \
         key files.",
        key_path.display(),
        certificate_path.display()
    );
    Ok(())
}

fn exists(path: &Path) -> Result<bool, RegistryKeyError> {
    path.try_exists().map_err(|source| io_error(path, source))
}

fn read(path: &Path) -> Result<String, RegistryKeyError> {
    fs::read_to_string(path).map_err(|source| io_error(path, source))
}

/// Create `path` (never overwrite) with `mode` from the start, so the key is never readable
/// by others, not even for a moment. A file another process created meanwhile is kept.
fn write_new(path: &Path, contents: &str, mode: u32) -> Result<(), RegistryKeyError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).map_err(|source| io_error(parent, source))?;
    }
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = match options.open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Ok(()),
        Err(source) => return Err(io_error(path, source)),
    };
    file.write_all(contents.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|source| io_error(path, source))
}

fn io_error(path: &Path, source: io::Error) -> RegistryKeyError {
    RegistryKeyError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn incomplete(found: &Path, missing: &Path) -> RegistryKeyError {
    RegistryKeyError::Incomplete {
        found: found.to_path_buf(),
        missing: missing.to_path_buf(),
    }
}

/// The issuer of a registry service's tokens: the signer from `key_path` and
/// `certificate_path` (as [`load_or_generate`], with `issuer` as the certificate's
/// subject), named `issuer`, tokens living `lifetime_seconds` on `clock`.
pub fn load_issuer(
    key_path: &Path,
    certificate_path: &Path,
    mode: Mode,
    issuer: &str,
    lifetime_seconds: i64,
    clock: Clock,
) -> Result<RegistryTokenIssuer, RegistryKeyError> {
    Ok(RegistryTokenIssuer {
        signer: load_or_generate(key_path, certificate_path, mode, issuer)?,
        issuer: issuer.to_string(),
        lifetime_seconds,
        clock,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Dir(PathBuf);

    impl Dir {
        fn new() -> Dir {
            let dir = std::env::temp_dir()
                .join("service-kit-registry-keys")
                .join(uuid::Uuid::new_v4().simple().to_string());
            Dir(dir)
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn a_generated_pair_loads_and_has_the_common_name() {
        let (key, cert) = generate_dev_key_and_cert("swr-svc dev").unwrap();
        assert!(key.starts_with("-----BEGIN PRIVATE KEY-----"), "{key}");
        assert!(cert.starts_with("-----BEGIN CERTIFICATE-----"), "{cert}");
        let signer = RegistrySigner::from_pem(&key, &cert).unwrap();
        assert_eq!(signer.kid().split(':').count(), 12);
    }

    #[test]
    fn development_generates_once_then_loads_the_same_key() {
        let dir = Dir::new();
        let (key, cert) = (dir.0.join("keys/reg.key"), dir.0.join("keys/reg.crt"));
        let first = load_or_generate(&key, &cert, Mode::Development, "dev").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                fs::metadata(&key).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        let again = load_or_generate(&key, &cert, Mode::Production, "dev").unwrap();
        assert_eq!(first.kid(), again.kid());
    }

    #[test]
    fn production_refuses_missing_files() {
        let dir = Dir::new();
        let (key, cert) = (dir.0.join("reg.key"), dir.0.join("reg.crt"));
        let err = load_or_generate(&key, &cert, Mode::Production, "x").unwrap_err();
        assert!(matches!(err, RegistryKeyError::Missing { .. }), "{err}");
        assert!(!key.exists() && !cert.exists());
    }

    #[test]
    fn half_a_pair_is_refused_in_both_modes() {
        let dir = Dir::new();
        let (key, cert) = (dir.0.join("reg.key"), dir.0.join("reg.crt"));
        fs::create_dir_all(&dir.0).unwrap();
        fs::write(&cert, "x").unwrap();
        for mode in [Mode::Development, Mode::Production] {
            let err = load_or_generate(&key, &cert, mode, "x").unwrap_err();
            assert!(matches!(err, RegistryKeyError::Incomplete { .. }), "{err}");
        }
        assert!(!key.exists());
    }

    #[test]
    fn a_certificate_of_another_key_is_refused() {
        let dir = Dir::new();
        let (key, cert) = (dir.0.join("reg.key"), dir.0.join("reg.crt"));
        fs::create_dir_all(&dir.0).unwrap();
        let (key_pem, _) = generate_dev_key_and_cert("a").unwrap();
        let (_, other_cert) = generate_dev_key_and_cert("b").unwrap();
        fs::write(&key, key_pem).unwrap();
        fs::write(&cert, other_cert).unwrap();
        let err = load_or_generate(&key, &cert, Mode::Development, "x").unwrap_err();
        assert!(
            matches!(
                err,
                RegistryKeyError::Invalid {
                    source: RegistryJwtError::CertificateMismatch,
                    ..
                }
            ),
            "{err}"
        );
    }
}
