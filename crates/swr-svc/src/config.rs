//! swr-svc configuration: `SWR__SECTION__KEY` environment variables override
//! `--config FILE`, which overrides the defaults below.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use service_kit::config::{self, ConfigError, DatabaseConfig, Mode, ServerConfig};

pub use service_kit::config::IamLink;

const DEFAULTS: &str = r#"
mode = "development"

[server]
host = "127.0.0.1"
port = 8082
max_body_bytes = 65536

[database]
url = "sqlite://var/swr.db"
pool_size = 8
migrate_on_start = true
busy_timeout_ms = 5000
sqlite_synchronous = "FULL"

[iam]
url = "http://127.0.0.1:8081"
internal_credential_file = "var/keys/internal-credential"
poll_interval_ms = 2000
max_staleness_seconds = 60
signature_max_skew_seconds = 900

[lakeformation]
url = "http://127.0.0.1:8083"

[credentials]
long_term_lifetime_days = 365
temporary_lifetime_seconds = 3600
max_per_user_per_instance = 20

[registry]
issuer = "swr-svc"
service = "swr-registry"
address = "127.0.0.1:5000"
signing_key_file = "var/keys/swr-registry-token.key"
certificate_file = "var/keys/swr-registry-token.crt"
token_lifetime_seconds = 300
"#;

/// Everything swr-svc reads at start.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SwrConfig {
    pub mode: Mode,
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub iam: IamLink,
    pub lakeformation: TemporaryKeyIssuer,
    pub credentials: CredentialRules,
    pub registry: RegistryConfig,
}

/// Where requests signed with temporary keys (they carry `X-Security-Token`) are checked.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemporaryKeyIssuer {
    /// lakeformation-svc's address; empty refuses every security token.
    pub url: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialRules {
    /// `expire_date` of a long-term credential, counted from its creation.
    pub long_term_lifetime_days: u32,
    /// Lifetime of a temporary credential.
    pub temporary_lifetime_seconds: u32,
    /// Most credentials one user may hold on one instance: long-term ones (expired too,
    /// until deleted) and temporary ones that have not expired.
    pub max_per_user_per_instance: u32,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistryConfig {
    /// `iss` of registry tokens; the registry's `auth.token.issuer`.
    pub issuer: String,
    /// The token `service` (JWT `aud`) of the registry every instance fronts: the
    /// registry's `auth.token.service`. Only the operator chooses it, never an API caller,
    /// since namespace names are unique per service and a login is checked against it.
    pub service: String,
    /// The registry address (host:port) clients push to and pull from.
    pub address: String,
    /// ES256 key (PKCS#8 PEM) and its certificate (PEM), which the registry trusts.
    pub signing_key_file: PathBuf,
    pub certificate_file: PathBuf,
    pub token_lifetime_seconds: i64,
}

impl SwrConfig {
    /// Load and validate.
    pub fn load(file: Option<&Path>) -> Result<SwrConfig, ConfigError> {
        let cfg: SwrConfig = config::load("SWR", DEFAULTS, file)?;
        cfg.validate()?;
        Ok(cfg)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        self.server.validate()?;
        self.database.validate()?;
        self.iam.validate()?;
        let invalid = |m: &str| Err(ConfigError::Invalid(m.to_string()));
        if !(1..=3650).contains(&self.credentials.long_term_lifetime_days) {
            return invalid("credentials.long_term_lifetime_days must be between 1 and 3650");
        }
        if !(60..=86_400).contains(&self.credentials.temporary_lifetime_seconds) {
            return invalid("credentials.temporary_lifetime_seconds must be between 60 and 86400");
        }
        if !(1..=1000).contains(&self.credentials.max_per_user_per_instance) {
            return invalid("credentials.max_per_user_per_instance must be between 1 and 1000");
        }
        if !(60..=3600).contains(&self.registry.token_lifetime_seconds) {
            return invalid("registry.token_lifetime_seconds must be between 60 and 3600");
        }
        let registry = &self.registry;
        if registry.issuer.is_empty() || registry.service.is_empty() || registry.address.is_empty()
        {
            return invalid(
                "registry.issuer, registry.service and registry.address must not be empty",
            );
        }
        if registry.service.chars().count() > 128 || registry.address.chars().count() > 255 {
            return invalid(
                "registry.service must be at most 128 characters, registry.address at most 255",
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        let cfg: SwrConfig = config::load("SWRTEST_NONE", DEFAULTS, None).unwrap();
        cfg.validate().unwrap();
        assert_eq!(cfg.server.port, 8082);
        assert_eq!(cfg.credentials.temporary_lifetime_seconds, 3600);
    }
}
