//! iam-svc configuration: `IAM__SECTION__KEY` environment variables override
//! `--config FILE`, which overrides the defaults below.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use service_kit::config::{self, ConfigError, DatabaseConfig, Mode, ServerConfig};

pub use service_kit::config::TemporaryKeyIssuer;

const DEFAULTS: &str = r#"
mode = "development"
public_url = "http://127.0.0.1:8081"

[server]
host = "127.0.0.1"
port = 8081
max_body_bytes = 65536

[database]
url = "sqlite://var/iam.db"
pool_size = 8
migrate_on_start = true
busy_timeout_ms = 5000
sqlite_synchronous = "FULL"

[tokens]
lifetime_minutes = 1440
signing_key_file = "var/keys/iam-token-signing.keys"

[passwords]
pbkdf2_iterations = 600000

[login_limits]
window_seconds = 300
max_failures_per_user = 5
max_failures_per_address = 50

[access_keys]
master_key_file = "var/keys/iam-master.keys"
max_per_user = 2
signature_max_skew_seconds = 900

[lakeformation]
url = "http://127.0.0.1:8083"

[internal]
credential_file = "var/keys/internal-credential"

[revocation]
poll_interval_ms = 1000
max_staleness_seconds = 60
"#;

/// Everything iam-svc reads at start.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IamConfig {
    pub mode: Mode,
    /// The address clients use; it appears in `links` and the token catalog.
    pub public_url: String,
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub tokens: TokenConfig,
    pub passwords: PasswordConfig,
    pub login_limits: LoginLimitConfig,
    pub access_keys: AccessKeyConfig,
    pub lakeformation: TemporaryKeyIssuer,
    pub internal: InternalConfig,
    pub revocation: RevocationConfig,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenConfig {
    /// Lifetime of an X-Auth-Token.
    pub lifetime_minutes: u32,
    /// `<kid> <base64 PKCS#8>` per line; the first line signs, every line verifies.
    pub signing_key_file: PathBuf,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordConfig {
    pub pbkdf2_iterations: u32,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginLimitConfig {
    pub window_seconds: u64,
    pub max_failures_per_user: u32,
    pub max_failures_per_address: u32,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessKeyConfig {
    /// `<key id> <base64 of 32 bytes>` per line; the first line seals, every line opens.
    pub master_key_file: PathBuf,
    /// Most permanent access keys one user may hold (Huawei: 2).
    pub max_per_user: u32,
    /// Largest accepted distance between `X-Sdk-Date` and our clock.
    pub signature_max_skew_seconds: u64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InternalConfig {
    /// The shared secret other services present on `/internal/*`.
    pub credential_file: PathBuf,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevocationConfig {
    /// How often this replica reads new revocations from the database.
    pub poll_interval_ms: u64,
    /// Refuse every token if revocations could not be read for this long.
    pub max_staleness_seconds: u64,
}

impl IamConfig {
    /// Load and validate.
    pub fn load(file: Option<&Path>) -> Result<IamConfig, ConfigError> {
        let cfg: IamConfig = config::load("IAM", DEFAULTS, file)?;
        cfg.validate()?;
        Ok(cfg)
    }

    /// The defaults with `overrides` (TOML text) on top, validated; no file and no
    /// environment is read.
    pub fn from_toml(overrides: &str) -> Result<IamConfig, ConfigError> {
        let cfg: IamConfig = config::from_toml(DEFAULTS, overrides)?;
        cfg.validate()?;
        Ok(cfg)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        self.server.validate()?;
        self.database.validate()?;
        self.lakeformation.validate()?;
        let invalid = |m: &str| Err(ConfigError::Invalid(m.to_string()));
        config::check_range(
            "tokens.lifetime_minutes",
            self.tokens.lifetime_minutes,
            5..=7 * 24 * 60,
        )?;
        if self.passwords.pbkdf2_iterations < 1000 {
            return invalid("passwords.pbkdf2_iterations must be at least 1000");
        }
        if self.mode == Mode::Production
            && self.passwords.pbkdf2_iterations
                < credential_core::password::DEFAULT_PBKDF2_ITERATIONS
        {
            return invalid("passwords.pbkdf2_iterations must be at least 600000 in production");
        }
        if self.login_limits.max_failures_per_user == 0
            || self.login_limits.max_failures_per_address == 0
            || self.login_limits.window_seconds == 0
        {
            return invalid("login_limits values must be at least 1");
        }
        config::check_range(
            "access_keys.max_per_user",
            self.access_keys.max_per_user,
            1..=100,
        )?;
        config::check_range(
            "access_keys.signature_max_skew_seconds",
            self.access_keys.signature_max_skew_seconds,
            config::SIGNATURE_MAX_SKEW_SECONDS,
        )?;
        // iam-svc reads its own database, so it may poll faster than the other services.
        config::check_range(
            "revocation.poll_interval_ms",
            self.revocation.poll_interval_ms,
            1..=5000,
        )?;
        config::check_http_url("public_url", &self.public_url)
    }

    /// The longest a token can live; revocations older than this are forgotten.
    pub fn token_lifetime(&self) -> chrono::Duration {
        chrono::Duration::minutes(i64::from(self.tokens.lifetime_minutes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        let cfg: IamConfig = config::load("IAMTEST_NONE", DEFAULTS, None).unwrap();
        cfg.validate().unwrap();
        assert_eq!(cfg.server.port, 8081);
    }

    #[test]
    fn production_refuses_cheap_password_hashing() {
        let mut cfg: IamConfig = config::load("IAMTEST_NONE", DEFAULTS, None).unwrap();
        cfg.mode = Mode::Production;
        cfg.passwords.pbkdf2_iterations = 10_000;
        assert!(cfg.validate().is_err());
    }
}
