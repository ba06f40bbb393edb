//! Typed configuration: built-in defaults < a TOML file < environment variables.
//!
//! Each service owns its configuration struct (with `#[serde(deny_unknown_fields)]`) and
//! embeds the shared sections defined here. Loading fails with a message that names the
//! offending key, so a typo in a file or an environment variable stops the start.

use std::path::Path;

use config::{Config, Environment, File, FileFormat};
use serde::de::DeserializeOwned;
use serde::Deserialize;

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
    let env = Environment::with_prefix(env_prefix)
        .prefix_separator("__")
        .separator("__")
        .try_parsing(true);
    Ok(builder.add_source(env).build()?.try_deserialize()?)
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
        if self.workers == Some(0) {
            return Err(ConfigError::Invalid(
                "server.workers must be at least 1".into(),
            ));
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
            "FULL" | "NORMAL" | "EXTRA" => Ok(()),
            other => Err(ConfigError::Invalid(format!(
                "database.sqlite_synchronous must be FULL, NORMAL or EXTRA, not {other:?}"
            ))),
        }
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
    fn port_zero_is_rejected() {
        let s: Sample = load("KITTEST_E", &DEFAULTS.replace("8081", "0"), None).unwrap();
        assert!(s.server.validate().is_err());
    }
}
