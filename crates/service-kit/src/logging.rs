//! Logger set-up: `RUST_LOG` wins; otherwise `info` with the access log on.

/// Initialise env_logger once; later calls are ignored (tests call it repeatedly).
pub fn init() {
    let env = env_logger::Env::default().default_filter_or("info");
    let _ = env_logger::Builder::from_env(env)
        .format_timestamp_millis()
        .try_init();
}
