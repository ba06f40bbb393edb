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

[catalog]
region = "local-1"
swr_url = "http://127.0.0.1:8082"
lakeformation_url = "http://127.0.0.1:8083"
tcr_url = "http://127.0.0.1:8084"
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
    pub catalog: CatalogConfig,
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

/// The service catalog (`/v3/auth/catalog` and every token's `catalog`): the region and
/// the public address of each service of the stack. iam-svc itself is listed at
/// `public_url`; a service whose address is empty is left out.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogConfig {
    /// The region id of the regional services: the name of the project an SDK looks up
    /// for a region (Huawei names a region's project after the region).
    pub region: String,
    /// swr-svc's public address.
    pub swr_url: String,
    /// lakeformation-svc's public address (its API, not `lakeformation.url`'s internal one).
    pub lakeformation_url: String,
    /// tcr-svc's public address.
    pub tcr_url: String,
}

impl CatalogConfig {
    /// The regional services with an address, in the catalog's order.
    pub fn services(&self) -> impl Iterator<Item = (&'static str, &str)> {
        [
            ("swr", self.swr_url.as_str()),
            ("lakeformation", self.lakeformation_url.as_str()),
            ("tcr", self.tcr_url.as_str()),
        ]
        .into_iter()
        .map(|(name, url)| (name, url.trim().trim_end_matches('/')))
        .filter(|(_, url)| !url.is_empty())
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let region_char = |c: char| c.is_ascii_alphanumeric() || "-_.".contains(c);
        if self.region.is_empty() || self.region.len() > 64 || !self.region.chars().all(region_char)
        {
            return Err(ConfigError::Invalid(
                "catalog.region must be 1 to 64 letters, digits, '-', '_' or '.'".into(),
            ));
        }
        for (name, url) in self.services() {
            config::check_http_url(&format!("catalog.{name}_url"), url)?;
        }
        Ok(())
    }
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
        self.catalog.validate()?;
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

    #[test]
    fn the_shipped_production_file_loads_with_its_catalog() {
        let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/config/iam.toml");
        let cfg: IamConfig = config::load("IAMTEST_NONE", DEFAULTS, Some(&file)).unwrap();
        cfg.validate().unwrap();
        assert_eq!(cfg.catalog.services().count(), 3);
    }

    #[test]
    fn the_catalog_leaves_out_services_without_an_address_and_refuses_bad_ones() {
        let cfg = IamConfig::from_toml("[catalog]\ntcr_url = \"\"\nswr_url = \"http://swr.test/\"")
            .unwrap();
        let services: Vec<_> = cfg.catalog.services().collect();
        assert_eq!(
            services,
            [
                ("swr", "http://swr.test"),
                ("lakeformation", "http://127.0.0.1:8083")
            ]
        );
        for bad in [
            "[catalog]\nswr_url = \"swr.test\"",
            "[catalog]\nregion = \"\"",
            "[catalog]\nregion = \"a/b\"",
            "[catalog]\nunknown = 1",
        ] {
            assert!(IamConfig::from_toml(bad).is_err(), "{bad}");
        }
    }
}
