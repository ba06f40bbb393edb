//! Typed configuration: built-in defaults < a TOML file < environment variables.
//!
//! Each service owns its configuration struct (with `#[serde(deny_unknown_fields)]`) and
//! embeds the shared sections defined here. Loading fails with a message that names the
//! offending key, so a typo in a file or an environment variable stops the start.
//! Sections more than one service has live here too: `[server]`, `[database]`, `[iam]`,
//! `[registry]` ([`RegistryConfig`]) and `[lakeformation]` ([`TemporaryKeyIssuer`]).

mod registry;
mod temporary_keys;

use std::fmt::Display;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};

use config::{Config, Environment, File, FileFormat};
use serde::de::DeserializeOwned;
use serde::Deserialize;

pub use registry::{RegistryConfig, REGISTRY_TOKEN_LIFETIME_SECONDS};
pub use temporary_keys::TemporaryKeyIssuer;

/// Why configuration could not be loaded or is not acceptable.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A source could not be read or a value has the wrong type or name.
    #[error("configuration: {0}")]
    Load(#[from] config::ConfigError),
    /// The values load but break a rule (for example a port of 0).
    #[error("configuration: {0}")]
    Invalid(String),
}

/// Whether the service may invent development keys on its own.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Missing key files are generated under `var/` with a loud warning.
    Development,
    /// Missing key files stop the start.
    Production,
}

/// Where the HTTP server listens and how much it accepts.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    pub host: String,
    pub port: u16,
    /// Worker threads; `None` means one per core.
    #[serde(default)]
    pub workers: Option<usize>,
    /// Largest accepted request body, in bytes.
    pub max_body_bytes: usize,
    /// A second port (on `internal_host`) for `/internal/v1/*`, the calls between
    /// services. When set, internal paths answer only there and the public API only on
    /// `port`, so a load balancer or firewall can expose `port` alone. Unset, both share
    /// `port` (development).
    #[serde(default)]
    pub internal_port: Option<u16>,
    /// The address `internal_port` listens on; `host` when unset.
    #[serde(default)]
    pub internal_host: Option<String>,
    /// After SIGTERM, how long `/readyz` answers 503 while the listener still serves, so a
    /// load balancer polling it stops sending new requests before the listener closes.
    #[serde(default = "defaults::drain_ms")]
    pub drain_ms: u64,
    /// After the drain, how long requests in flight may take to finish.
    #[serde(default = "defaults::shutdown_timeout_seconds")]
    pub shutdown_timeout_seconds: u64,
    /// How long a client may take to send a request's head (slow-header clients).
    #[serde(default = "defaults::client_request_timeout_ms")]
    pub client_request_timeout_ms: u64,
    /// How long a client may take to send a request's body (slow-body clients).
    #[serde(default = "defaults::body_timeout_ms")]
    pub body_timeout_ms: u64,
    /// Addresses of the load balancers in front of the service: only from them is
    /// `X-Forwarded-For` believed when a client's address is needed (failed-login limits).
    /// Each an address or a CIDR network; in the environment, comma-separated.
    #[serde(default)]
    pub trusted_proxies: Vec<String>,
}

/// Longer than a minute and the orchestrator's kill arrives first; 0 skips the drain
/// (tests, or a service no load balancer polls).
pub const DRAIN_MS: RangeInclusive<u64> = 0..=60_000;
/// At least a second for the requests in flight; past five minutes a stop looks hung.
pub const SHUTDOWN_TIMEOUT_SECONDS: RangeInclusive<u64> = 1..=300;
/// Under 100 ms a slow but honest network would be cut off; over a minute one slow client
/// holds a connection slot that long.
pub const CLIENT_REQUEST_TIMEOUT_MS: RangeInclusive<u64> = 100..=60_000;
/// As the request head, with room for large bodies on slow links.
pub const BODY_TIMEOUT_MS: RangeInclusive<u64> = 100..=300_000;
/// Under 100 ms a busy moment already answers 503; over a minute a request waits past
/// every client's patience.
pub const ACQUIRE_TIMEOUT_MS: RangeInclusive<u64> = 100..=60_000;
/// When set (0 turns it off): under 100 ms ordinary queries fail; past an hour no caller
/// is still waiting.
pub const STATEMENT_TIMEOUT_MS: RangeInclusive<u64> = 100..=3_600_000;

/// The serde defaults of the optional keys, so that existing configuration files stay valid.
mod defaults {
    pub fn drain_ms() -> u64 {
        3000
    }
    pub fn shutdown_timeout_seconds() -> u64 {
        30
    }
    pub fn client_request_timeout_ms() -> u64 {
        5000
    }
    pub fn body_timeout_ms() -> u64 {
        10_000
    }
    pub fn acquire_timeout_ms() -> u64 {
        5000
    }
    pub fn statement_timeout_ms() -> u64 {
        10_000
    }
}

/// The database the service stores its rows in.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `sqlite://path`, a plain path, or `postgres://...`.
    pub url: String,
    pub pool_size: u32,
    /// Apply pending migrations when the service starts.
    pub migrate_on_start: bool,
    /// SQLite only: how long a writer waits for the lock.
    pub busy_timeout_ms: u32,
    /// SQLite only: `FULL` (default, durable) or `NORMAL`.
    pub sqlite_synchronous: String,
    /// How long a request waits for a free connection before it answers 503.
    #[serde(default = "defaults::acquire_timeout_ms")]
    pub acquire_timeout_ms: u64,
    /// PostgreSQL only: the longest a statement may run (`statement_timeout`), so no
    /// request waits forever on a lock or a stalled server.
    #[serde(default = "defaults::statement_timeout_ms")]
    pub statement_timeout_ms: u64,
}

/// Where iam-svc is and how to follow it: the `[iam]` section of the services that pull
/// iam-svc's revocations (swr-svc, lakeformation-svc and tcr-svc: for the X-Auth-Tokens
/// they verify offline, the temporary keys they accept and the credentials they store).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IamLink {
    pub url: String,
    /// The same file iam-svc reads; it is never generated here.
    pub internal_credential_file: PathBuf,
    /// How often revocations are pulled (at most 5000, so a revoked token dies in 10 s).
    pub poll_interval_ms: u64,
    /// Refuse every token if revocations could not be pulled for this long.
    pub max_staleness_seconds: u64,
    /// Largest accepted distance between a signed request's date and our clock.
    pub signature_max_skew_seconds: u64,
}

/// Revocations pulled more often than this load iam-svc for nothing; less often than the
/// upper bound and a revoked token outlives the promised 10 s.
pub const IAM_POLL_INTERVAL_MS: RangeInclusive<u64> = 100..=5000;
/// Every signature scheme here (SDK-HMAC-SHA256, TC3-HMAC-SHA256) allows at most an hour of
/// clock skew; 0 would refuse every request.
pub const SIGNATURE_MAX_SKEW_SECONDS: RangeInclusive<u64> = 1..=3600;

impl IamLink {
    /// Reject values the link to iam-svc cannot run with.
    pub fn validate(&self) -> Result<(), ConfigError> {
        check_iam_link(
            &self.url,
            Some(self.poll_interval_ms),
            self.signature_max_skew_seconds,
        )?;
        check_range(
            "iam.max_staleness_seconds",
            self.max_staleness_seconds,
            IAM_MAX_STALENESS_SECONDS,
        )?;
        if self.max_staleness_seconds * 1000 < 2 * self.poll_interval_ms {
            // One late poll must not refuse every token.
            return Err(ConfigError::Invalid(
                "iam.max_staleness_seconds must cover at least two iam.poll_interval_ms".into(),
            ));
        }
        Ok(())
    }
}

/// How long tokens are still accepted while iam-svc cannot be reached: 0 would refuse them
/// at the first missed poll, and past an hour a revoked token would live on for as long.
pub const IAM_MAX_STALENESS_SECONDS: RangeInclusive<u64> = 1..=3600;

/// The rules of every service's `[iam]` section, in one place so that the services refuse
/// the same values with the same messages; `poll_interval_ms` is `None` where nothing is
/// polled.
pub fn check_iam_link(
    url: &str,
    poll_interval_ms: Option<u64>,
    signature_max_skew_seconds: u64,
) -> Result<(), ConfigError> {
    check_http_url("iam.url", url)?;
    if let Some(ms) = poll_interval_ms {
        check_range("iam.poll_interval_ms", ms, IAM_POLL_INTERVAL_MS)?;
    }
    check_range(
        "iam.signature_max_skew_seconds",
        signature_max_skew_seconds,
        SIGNATURE_MAX_SKEW_SECONDS,
    )
}

/// `key` must be an `http://` or `https://` URL.
pub fn check_http_url(key: &str, url: &str) -> Result<(), ConfigError> {
    if url.starts_with("http://") || url.starts_with("https://") {
        return Ok(());
    }
    Err(ConfigError::Invalid(format!(
        "{key} must start with http:// or https://"
    )))
}

/// `key` must lie in `range` (both ends included).
pub fn check_range<T: PartialOrd + Display>(
    key: &str,
    value: T,
    range: RangeInclusive<T>,
) -> Result<(), ConfigError> {
    if range.contains(&value) {
        return Ok(());
    }
    Err(ConfigError::Invalid(format!(
        "{key} must be between {} and {}",
        range.start(),
        range.end()
    )))
}

/// Load `T` from `defaults` (TOML text), then `file` if given, then environment variables
/// named `<PREFIX>__<SECTION>__<KEY>`.
pub fn load<T: DeserializeOwned>(
    env_prefix: &str,
    defaults: &str,
    file: Option<&Path>,
) -> Result<T, ConfigError> {
    let mut builder = Config::builder().add_source(File::from_str(defaults, FileFormat::Toml));
    if let Some(path) = file {
        builder = builder.add_source(File::from(path).format(FileFormat::Toml).required(true));
    }
    // Lists come from the environment comma-separated; only the keys named here are
    // split, so a comma elsewhere (a database URL's options) stays in its string.
    let env = Environment::with_prefix(env_prefix)
        .prefix_separator("__")
        .separator("__")
        .try_parsing(true)
        .list_separator(",")
        .with_list_parse_key("server.trusted_proxies")
        // tcr-svc's names (`TCR__API__HOSTS=tcr.example.com,127.0.0.1:8084`).
        .with_list_parse_key("api.hosts");
    Ok(builder.add_source(env).build()?.try_deserialize()?)
}

/// Load `T` from `defaults`, then `overrides` (both TOML text), and nothing else: no file
/// and no environment. Tests build their configuration this way, because the process
/// environment is shared by tests running in parallel.
pub fn from_toml<T: DeserializeOwned>(defaults: &str, overrides: &str) -> Result<T, ConfigError> {
    Ok(Config::builder()
        .add_source(File::from_str(defaults, FileFormat::Toml))
        .add_source(File::from_str(overrides, FileFormat::Toml))
        .build()?
        .try_deserialize()?)
}

impl ServerConfig {
    /// Reject values the server cannot run with.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.port == 0 {
            return Err(ConfigError::Invalid("server.port must be 1..=65535".into()));
        }
        if self.max_body_bytes < 1024 {
            return Err(ConfigError::Invalid(
                "server.max_body_bytes must be at least 1024".into(),
            ));
        }
        if self.internal_port == Some(0) || self.internal_port == Some(self.port) {
            return Err(ConfigError::Invalid(
                "server.internal_port must be 1..=65535 and differ from server.port".into(),
            ));
        }
        if self.workers == Some(0) {
            return Err(ConfigError::Invalid(
                "server.workers must be at least 1".into(),
            ));
        }
        check_range("server.drain_ms", self.drain_ms, DRAIN_MS)?;
        check_range(
            "server.shutdown_timeout_seconds",
            self.shutdown_timeout_seconds,
            SHUTDOWN_TIMEOUT_SECONDS,
        )?;
        check_range(
            "server.client_request_timeout_ms",
            self.client_request_timeout_ms,
            CLIENT_REQUEST_TIMEOUT_MS,
        )?;
        check_range(
            "server.body_timeout_ms",
            self.body_timeout_ms,
            BODY_TIMEOUT_MS,
        )?;
        for entry in &self.trusted_proxies {
            crate::http::ProxyRange::parse(entry)
                .map_err(|e| ConfigError::Invalid(format!("server.trusted_proxies: {e}")))?;
        }
        Ok(())
    }
}

impl DatabaseConfig {
    /// Reject values the pool cannot run with.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.url.trim().is_empty() {
            return Err(ConfigError::Invalid(
                "database.url must not be empty".into(),
            ));
        }
        if self.pool_size == 0 {
            return Err(ConfigError::Invalid(
                "database.pool_size must be at least 1".into(),
            ));
        }
        match self.sqlite_synchronous.to_ascii_uppercase().as_str() {
            "FULL" | "NORMAL" | "EXTRA" => {}
            other => {
                return Err(ConfigError::Invalid(format!(
                    "database.sqlite_synchronous must be FULL, NORMAL or EXTRA, not {other:?}"
                )))
            }
        }
        check_range(
            "database.acquire_timeout_ms",
            self.acquire_timeout_ms,
            ACQUIRE_TIMEOUT_MS,
        )?;
        if self.statement_timeout_ms != 0 {
            check_range(
                "database.statement_timeout_ms (or 0, no limit)",
                self.statement_timeout_ms,
                STATEMENT_TIMEOUT_MS,
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Sample {
        server: ServerConfig,
    }

    const DEFAULTS: &str = "[server]\nhost = \"127.0.0.1\"\nport = 8081\nmax_body_bytes = 65536\n";

    #[test]
    fn defaults_load() {
        let s: Sample = load("KITTEST_A", DEFAULTS, None).unwrap();
        assert_eq!(s.server.port, 8081);
        s.server.validate().unwrap();
    }

    #[test]
    fn environment_overrides_defaults() {
        std::env::set_var("KITTEST_B__SERVER__PORT", "9999");
        let s: Sample = load("KITTEST_B", DEFAULTS, None).unwrap();
        assert_eq!(s.server.port, 9999);
    }

    #[test]
    fn trusted_proxies_come_from_the_environment_comma_separated() {
        std::env::set_var("KITTEST_F__SERVER__TRUSTED_PROXIES", "10.0.0.1, fd00::/8");
        std::env::set_var("KITTEST_F__SERVER__HOST", "a,b");
        let s: Sample = load("KITTEST_F", DEFAULTS, None).unwrap();
        assert_eq!(s.server.trusted_proxies, ["10.0.0.1", " fd00::/8"]);
        assert_eq!(s.server.host, "a,b");
        s.server.validate().unwrap();
        std::env::set_var("KITTEST_G__SERVER__TRUSTED_PROXIES", "127.0.0.1");
        let s: Sample = load("KITTEST_G", DEFAULTS, None).unwrap();
        assert_eq!(s.server.trusted_proxies, ["127.0.0.1"]);
    }

    #[test]
    fn unknown_key_is_an_error_that_names_it() {
        std::env::set_var("KITTEST_C__SERVER__PROT", "1");
        let err = load::<Sample>("KITTEST_C", DEFAULTS, None).unwrap_err();
        assert!(err.to_string().contains("prot"), "{err}");
    }

    #[test]
    fn file_overrides_defaults() {
        let dir = std::env::temp_dir().join(format!("kit-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("svc.toml");
        std::fs::write(&path, "[server]\nport = 7000\n").unwrap();
        let s: Sample = load("KITTEST_D", DEFAULTS, Some(&path)).unwrap();
        assert_eq!(s.server.port, 7000);
        assert_eq!(s.server.host, "127.0.0.1");
    }

    #[test]
    fn iam_link_messages_name_the_key_and_the_bounds() {
        let message = |r: Result<(), ConfigError>| r.unwrap_err().to_string();
        assert_eq!(
            message(check_iam_link("ftp://iam", Some(1000), 900)),
            "configuration: iam.url must start with http:// or https://"
        );
        assert_eq!(
            message(check_iam_link("http://iam", Some(99), 900)),
            "configuration: iam.poll_interval_ms must be between 100 and 5000"
        );
        assert_eq!(
            message(check_iam_link("https://iam", None, 0)),
            "configuration: iam.signature_max_skew_seconds must be between 1 and 3600"
        );
        check_iam_link("https://iam", None, 3600).unwrap();
        check_iam_link("http://iam", Some(5000), 1).unwrap();
    }

    #[test]
    fn the_stop_and_client_limits_are_bounded() {
        let message = |extra: &str| {
            let s: Sample = from_toml(DEFAULTS, &format!("[server]\n{extra}")).unwrap();
            s.server.validate().err().map(|e| e.to_string())
        };
        assert_eq!(message("drain_ms = 0"), None);
        assert_eq!(
            message("drain_ms = 60001").as_deref(),
            Some("configuration: server.drain_ms must be between 0 and 60000")
        );
        assert!(message("shutdown_timeout_seconds = 0").is_some());
        assert!(message("shutdown_timeout_seconds = 301").is_some());
        assert!(message("client_request_timeout_ms = 99").is_some());
        assert!(message("body_timeout_ms = 300001").is_some());
        assert_eq!(
            message("trusted_proxies = [\"10.0.0.1\", \"fd00::/8\", \"192.168.0.0/16\"]"),
            None
        );
        assert_eq!(
            message("trusted_proxies = [\"haproxy\"]").as_deref(),
            Some(
                "configuration: server.trusted_proxies: \"haproxy\" is not an IP address \
                 or a network like 10.0.0.0/8"
            )
        );
    }

    #[test]
    fn the_database_waits_are_bounded() {
        let database = |extra: &str| {
            let text = format!(
                "url = \"sqlite://x.db\"\npool_size = 2\nmigrate_on_start = true\n\
                 busy_timeout_ms = 5000\nsqlite_synchronous = \"FULL\"\n{extra}"
            );
            let cfg: DatabaseConfig = from_toml(&text, "").unwrap();
            cfg.validate().err().map(|e| e.to_string())
        };
        assert_eq!(database(""), None);
        assert_eq!(database("statement_timeout_ms = 0"), None);
        assert!(database("statement_timeout_ms = 99").is_some());
        assert!(database("statement_timeout_ms = 3600001").is_some());
        assert_eq!(
            database("acquire_timeout_ms = 99").as_deref(),
            Some("configuration: database.acquire_timeout_ms must be between 100 and 60000")
        );
        assert!(database("acquire_timeout_ms = 60001").is_some());
    }

    #[test]
    fn tokens_outlive_a_missed_poll_and_no_more_than_an_hour() {
        let link = |staleness: u64, poll: u64| {
            let text = format!(
                "url = \"http://127.0.0.1:8081\"\ninternal_credential_file = \"x\"\n\
                 poll_interval_ms = {poll}\nmax_staleness_seconds = {staleness}\n\
                 signature_max_skew_seconds = 300\n"
            );
            let cfg: IamLink = from_toml(&text, "").unwrap();
            cfg.validate().err().map(|e| e.to_string())
        };
        assert_eq!(link(60, 2000), None);
        assert_eq!(link(1, 500), None);
        assert!(link(0, 500).is_some());
        assert!(link(3601, 500).is_some());
        assert!(link(5, 5000).unwrap().contains("two iam.poll_interval_ms"));
    }

    #[test]
    fn port_zero_is_rejected() {
        let s: Sample = load("KITTEST_E", &DEFAULTS.replace("8081", "0"), None).unwrap();
        assert!(s.server.validate().is_err());
    }
}
