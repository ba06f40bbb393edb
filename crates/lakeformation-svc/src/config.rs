//! lakeformation-svc configuration: `LAKEFORMATION__SECTION__KEY` environment variables
//! override `--config FILE`, which overrides the defaults below.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use service_kit::config::{self, ConfigError, DatabaseConfig, Mode, ServerConfig};

pub use service_kit::config::IamLink;

const DEFAULTS: &str = r#"
mode = "development"

[server]
host = "127.0.0.1"
port = 8083
max_body_bytes = 65536

[database]
url = "sqlite://var/lakeformation.db"
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

[credentials]
lifetime_seconds = 3600
sealing_key_file = "var/keys/lakeformation-sealing.keys"
"#;

/// Temporary credentials may live between 15 minutes and 12 hours.
pub const MIN_LIFETIME_SECONDS: u32 = 900;
pub const MAX_LIFETIME_SECONDS: u32 = 43_200;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LfConfig {
    pub mode: Mode,
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub iam: IamLink,
    pub credentials: CredentialRules,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialRules {
    /// Lifetime of a temporary credential, 900..=43200 seconds (default one hour).
    pub lifetime_seconds: u32,
    /// `<key id> <base64 of 32 bytes>` per line; the first line seals, every line opens.
    pub sealing_key_file: PathBuf,
}

impl LfConfig {
    pub fn load(file: Option<&Path>) -> Result<LfConfig, ConfigError> {
        let cfg: LfConfig = config::load("LAKEFORMATION", DEFAULTS, file)?;
        cfg.validate()?;
        Ok(cfg)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        self.server.validate()?;
        self.database.validate()?;
        self.iam.validate()?;
        config::check_range(
            "credentials.lifetime_seconds",
            self.credentials.lifetime_seconds,
            MIN_LIFETIME_SECONDS..=MAX_LIFETIME_SECONDS,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_lifetimes_are_bounded() {
        let mut cfg: LfConfig = config::load("LFTEST_NONE", DEFAULTS, None).unwrap();
        cfg.validate().unwrap();
        assert_eq!(cfg.credentials.lifetime_seconds, 3600);
        cfg.credentials.lifetime_seconds = 899;
        assert!(cfg.validate().is_err());
        cfg.credentials.lifetime_seconds = 43_201;
        assert!(cfg.validate().is_err());
    }
}
