//! tcr-svc configuration: `TCR__SECTION__KEY` environment variables override
//! `--config FILE`, which overrides the defaults below.

use std::path::Path;

use serde::Deserialize;
use service_kit::config::{self, check_range, ConfigError, DatabaseConfig, Mode, ServerConfig};

pub use service_kit::config::{IamLink, RegistryConfig, TemporaryKeyIssuer};

const DEFAULTS: &str = r#"
mode = "development"

[server]
host = "127.0.0.1"
port = 8084
max_body_bytes = 65536

[database]
url = "sqlite://var/tcr.db"
pool_size = 8
migrate_on_start = true
busy_timeout_ms = 5000
sqlite_synchronous = "FULL"

[iam]
url = "http://127.0.0.1:8081"
internal_credential_file = "var/keys/internal-credential"
poll_interval_ms = 2000
max_staleness_seconds = 60
signature_max_skew_seconds = 300

[lakeformation]
url = "http://127.0.0.1:8083"

[tokens]
temp_lifetime_seconds = 3600
longterm_lifetime_days = 365

[service_accounts]
pbkdf2_iterations = 600000

[rate_limits]
create_instance_token_per_second = 100
other_per_second = 20

[registry]
issuer = "tcr-svc"
service = "tcr-registry"
address = "127.0.0.1:5001"
signing_key_file = "var/keys/tcr-registry-token.key"
certificate_file = "var/keys/tcr-registry-token.crt"
token_lifetime_seconds = 300
"#;

/// Everything tcr-svc reads at start.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TcrConfig {
    pub mode: Mode,
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub iam: IamLink,
    pub lakeformation: TemporaryKeyIssuer,
    pub tokens: TokenRules,
    pub service_accounts: ServiceAccountRules,
    pub rate_limits: RateLimits,
    pub registry: RegistryConfig,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenRules {
    /// Lifetime of a `temp` instance token (Tencent: one hour).
    pub temp_lifetime_seconds: u32,
    /// Lifetime of a `longterm` instance token.
    pub longterm_lifetime_days: u32,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceAccountRules {
    /// PBKDF2 iterations for a service account password the caller chose (a random one
    /// is stored as its SHA-256).
    pub pbkdf2_iterations: u32,
}

/// Requests per second per account and action, as Tencent documents them.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimits {
    pub create_instance_token_per_second: u32,
    /// Every other action (Describe, Modify, Delete, CreateInstance...).
    pub other_per_second: u32,
}

impl TcrConfig {
    /// Load and validate.
    pub fn load(file: Option<&Path>) -> Result<TcrConfig, ConfigError> {
        let cfg: TcrConfig = config::load("TCR", DEFAULTS, file)?;
        cfg.validate()?;
        Ok(cfg)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        self.server.validate()?;
        self.database.validate()?;
        self.iam.validate()?;
        self.lakeformation.validate()?;
        let invalid = |m: &str| Err(ConfigError::Invalid(m.to_string()));
        if self.server.internal_port.is_some() {
            return invalid("server.internal_port: tcr-svc serves no internal API");
        }
        check_range(
            "tokens.temp_lifetime_seconds",
            self.tokens.temp_lifetime_seconds,
            60..=86_400,
        )?;
        check_range(
            "tokens.longterm_lifetime_days",
            self.tokens.longterm_lifetime_days,
            1..=3650,
        )?;
        if self.service_accounts.pbkdf2_iterations < 1000 {
            return invalid("service_accounts.pbkdf2_iterations must be at least 1000");
        }
        if self.mode == Mode::Production
            && self.service_accounts.pbkdf2_iterations
                < credential_core::password::DEFAULT_PBKDF2_ITERATIONS
        {
            return invalid(
                "service_accounts.pbkdf2_iterations must be at least 600000 in production",
            );
        }
        if self.rate_limits.create_instance_token_per_second == 0
            || self.rate_limits.other_per_second == 0
        {
            return invalid("rate_limits values must be at least 1");
        }
        self.registry.validate()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        let cfg: TcrConfig = config::load("TCRTEST_NONE", DEFAULTS, None).unwrap();
        cfg.validate().unwrap();
        assert_eq!(cfg.server.port, 8084);
        assert_eq!(cfg.rate_limits.create_instance_token_per_second, 100);
    }

    #[test]
    fn an_internal_listener_is_refused_for_want_of_an_internal_api() {
        let mut cfg: TcrConfig = config::load("TCRTEST_NONE", DEFAULTS, None).unwrap();
        cfg.server.internal_port = Some(9084);
        assert!(cfg.validate().is_err());
    }
}
