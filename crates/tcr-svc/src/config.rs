//! tcr-svc configuration: `TCR__SECTION__KEY` environment variables override
//! `--config FILE`, which overrides the defaults below.

use std::path::Path;

use serde::Deserialize;
use service_kit::config::{self, check_range, ConfigError, DatabaseConfig, Mode, ServerConfig};

use crate::auth::hosts::HostName;

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

[api]
hosts = []

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
    pub api: ApiRules,
}

/// How the API 3.0 endpoint takes signed requests.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiRules {
    /// The names clients reach this service by (`host` for any port, or `host:port`): a
    /// signed request must be addressed to one, and signed for it (see `auth::hosts`).
    /// Empty: the loopback names on any port in development; production requires them.
    pub hosts: Vec<HostName>,
    /// Whether the legacy `HmacSHA1` signature is accepted. Unset: in development yes, in
    /// production no (SHA-1 is weak; `HmacSHA256` and TC3 are not).
    #[serde(default)]
    pub allow_hmac_sha1: Option<bool>,
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
        let mut cfg: TcrConfig = config::load("TCR", DEFAULTS, file)?;
        cfg.settle_hosts()?;
        cfg.validate()?;
        Ok(cfg)
    }

    /// No `api.hosts`: the loopback names in development; production must name its own.
    fn settle_hosts(&mut self) -> Result<(), ConfigError> {
        if !self.api.hosts.is_empty() {
            return Ok(());
        }
        match self.mode {
            Mode::Development => {
                self.api.hosts = HostName::loopback();
                Ok(())
            }
            Mode::Production => Err(ConfigError::Invalid(
                "api.hosts must name the hosts clients reach tcr-svc by (host or host:port): \
                 a signed request is accepted only when addressed and signed to one of them"
                    .into(),
            )),
        }
    }

    /// Whether `HmacSHA1` signatures are accepted ([`ApiRules::allow_hmac_sha1`]).
    pub fn hmac_sha1_allowed(&self) -> bool {
        self.api
            .allow_hmac_sha1
            .unwrap_or(self.mode == Mode::Development)
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
    fn hosts_default_to_loopback_in_development_and_are_required_in_production() {
        let mut cfg: TcrConfig = config::load("TCRTEST_NONE", DEFAULTS, None).unwrap();
        cfg.settle_hosts().unwrap();
        assert_eq!(cfg.api.hosts, HostName::loopback());
        assert!(cfg.hmac_sha1_allowed());
        let mut cfg: TcrConfig = config::from_toml(DEFAULTS, "mode = \"production\"").unwrap();
        assert!(cfg.settle_hosts().is_err());
        assert!(!cfg.hmac_sha1_allowed());
        let cfg: TcrConfig = config::from_toml(
            DEFAULTS,
            "mode = \"production\"\n[api]\nhosts = [\"tcr.example.com\"]\nallow_hmac_sha1 = true",
        )
        .unwrap();
        assert!(cfg.hmac_sha1_allowed());
        assert_eq!(cfg.api.hosts[0].to_string(), "tcr.example.com");
        let bad: Result<TcrConfig, _> = config::from_toml(DEFAULTS, "[api]\nhosts = [\"a b\"]");
        assert!(bad.is_err());
    }

    #[test]
    fn the_shipped_production_file_names_its_hosts() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/config/tcr.toml");
        let mut cfg: TcrConfig = config::load("TCRTEST_NONE", DEFAULTS, Some(&path)).unwrap();
        cfg.settle_hosts().unwrap();
        assert_eq!(cfg.api.hosts[0].to_string(), "tcr-api.example.com");
        assert!(!cfg.hmac_sha1_allowed());
    }

    #[test]
    fn an_internal_listener_is_refused_for_want_of_an_internal_api() {
        let mut cfg: TcrConfig = config::load("TCRTEST_NONE", DEFAULTS, None).unwrap();
        cfg.server.internal_port = Some(9084);
        assert!(cfg.validate().is_err());
    }
}
