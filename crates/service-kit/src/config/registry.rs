//! The `[registry]` section of the services that front a container registry (swr-svc,
//! tcr-svc): which registry, and how its tokens are signed.

use std::ops::RangeInclusive;
use std::path::PathBuf;

use serde::Deserialize;

use super::{check_range, ConfigError};

/// A registry token's lifetime: long enough for a `docker push` to start, short enough
/// that a refused login is not outlived by an old token for long.
pub const REGISTRY_TOKEN_LIFETIME_SECONDS: RangeInclusive<i64> = 60..=3600;
/// `service` is stored with every namespace, and shown in `WWW-Authenticate`.
const SERVICE_MAX: usize = 128;
/// `address` is stored with every instance (a `host:port`, a DNS name at most).
const ADDRESS_MAX: usize = 255;

/// The registry every instance of the service fronts, and the key its tokens are signed
/// with.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistryConfig {
    /// `iss` of registry tokens; the registry's `auth.token.issuer`.
    pub issuer: String,
    /// The token `service` (JWT `aud`) of the registry: its `auth.token.service`. Only
    /// the operator chooses it, never an API caller, since namespace names are unique per
    /// service and a login is checked against it; existing records move to it at start.
    pub service: String,
    /// The registry address (host:port) clients push to and pull from.
    pub address: String,
    /// ES256 key (PKCS#8 PEM) and its certificate (PEM), which the registry trusts.
    pub signing_key_file: PathBuf,
    pub certificate_file: PathBuf,
    pub token_lifetime_seconds: i64,
}

impl RegistryConfig {
    /// Reject a registry the service cannot name or sign for.
    ///
    /// ```
    /// use service_kit::config::RegistryConfig;
    ///
    /// let mut registry = RegistryConfig {
    ///     issuer: "swr-svc".into(),
    ///     service: "swr-registry".into(),
    ///     address: "127.0.0.1:5000".into(),
    ///     signing_key_file: "var/keys/registry.key".into(),
    ///     certificate_file: "var/keys/registry.crt".into(),
    ///     token_lifetime_seconds: 300,
    /// };
    /// registry.validate().unwrap();
    /// registry.service = " ".into();
    /// assert_eq!(
    ///     registry.validate().unwrap_err().to_string(),
    ///     "configuration: registry.service must not be empty"
    /// );
    /// ```
    pub fn validate(&self) -> Result<(), ConfigError> {
        for (key, value) in [
            ("registry.issuer", &self.issuer),
            ("registry.service", &self.service),
            ("registry.address", &self.address),
        ] {
            if value.trim().is_empty() {
                return Err(ConfigError::Invalid(format!("{key} must not be empty")));
            }
        }
        for (key, value, max) in [
            ("registry.service", &self.service, SERVICE_MAX),
            ("registry.address", &self.address, ADDRESS_MAX),
        ] {
            if value.chars().count() > max {
                return Err(ConfigError::Invalid(format!(
                    "{key} must be at most {max} characters"
                )));
            }
        }
        check_range(
            "registry.token_lifetime_seconds",
            self.token_lifetime_seconds,
            REGISTRY_TOKEN_LIFETIME_SECONDS,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registry() -> RegistryConfig {
        RegistryConfig {
            issuer: "tcr-svc".into(),
            service: "tcr-registry".into(),
            address: "127.0.0.1:5001".into(),
            signing_key_file: "k".into(),
            certificate_file: "c".into(),
            token_lifetime_seconds: 300,
        }
    }

    #[test]
    fn each_rule_names_its_key() {
        let refusal = |change: fn(&mut RegistryConfig)| {
            let mut r = registry();
            change(&mut r);
            r.validate().unwrap_err().to_string()
        };
        assert_eq!(
            refusal(|r| r.issuer.clear()),
            "configuration: registry.issuer must not be empty"
        );
        assert_eq!(
            refusal(|r| r.address = "  ".into()),
            "configuration: registry.address must not be empty"
        );
        assert_eq!(
            refusal(|r| r.service = "s".repeat(129)),
            "configuration: registry.service must be at most 128 characters"
        );
        assert_eq!(
            refusal(|r| r.address = "a".repeat(256)),
            "configuration: registry.address must be at most 255 characters"
        );
        assert_eq!(
            refusal(|r| r.token_lifetime_seconds = 59),
            "configuration: registry.token_lifetime_seconds must be between 60 and 3600"
        );
        let mut edge = registry();
        edge.service = "é".repeat(128);
        edge.address = "a".repeat(255);
        edge.token_lifetime_seconds = 3600;
        edge.validate().unwrap();
    }
}
