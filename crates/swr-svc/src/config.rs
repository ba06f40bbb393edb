//! swr-svc configuration: `SWR__SECTION__KEY` environment variables override
//! `--config FILE`, which overrides the defaults below.

use std::path::Path;

use serde::Deserialize;
use service_kit::config::{self, check_range, ConfigError, DatabaseConfig, Mode, ServerConfig};

pub use service_kit::config::{IamLink, RegistryConfig, TemporaryKeyIssuer};

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
        self.lakeformation.validate()?;
        let credentials = &self.credentials;
        check_range(
            "credentials.long_term_lifetime_days",
            credentials.long_term_lifetime_days,
            1..=3650,
        )?;
        check_range(
            "credentials.temporary_lifetime_seconds",
            credentials.temporary_lifetime_seconds,
            60..=86_400,
        )?;
        check_range(
            "credentials.max_per_user_per_instance",
            credentials.max_per_user_per_instance,
            1..=1000,
        )?;
        self.registry.validate()
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
