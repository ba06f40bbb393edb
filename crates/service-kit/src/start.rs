//! The start-up the services that trust iam-svc share (swr-svc, tcr-svc,
//! lakeformation-svc): the `serve`/`migrate` command line, the link to iam-svc (internal
//! credential, token verifier, revocation feed) and running the server beside the feed.
//!
//! A service's `main.rs` keeps only what is its own: its configuration type, its
//! start-up fixes, its state and collaborators. iam-svc, the root of trust, has commands
//! and a feed of its own and does not start through here.

use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use actix_web::App;

use crate::auth::{IamFeed, InternalCredential, RevocationSink, TokenVerifier, VerifierOptions};
use crate::clock::Clock;
use crate::config::{ConfigError, DatabaseConfig, IamLink, ServerConfig};
use crate::db::{self, DbPool, Migrations};
use crate::http::AppFactory;
use crate::{cli, keyfiles};

/// What names a service binary whose commands are `serve` (the default) and `migrate`.
pub struct Binary<'a, C> {
    /// The binary's name, as in logs and messages: `swr-svc`.
    pub name: &'a str,
    /// The environment prefix of its configuration: `SWR`.
    pub env_prefix: &'a str,
    pub load: fn(Option<&Path>) -> Result<C, ConfigError>,
    /// Where in its configuration the database is.
    pub database: fn(&C) -> &DatabaseConfig,
    pub migrations: &'a Migrations,
}

/// The whole `main` of such a binary: `migrate` applies the migrations and exits;
/// `serve` opens the database (migrating when `database.migrate_on_start`) and hands the
/// configuration and pool to `serve`.
pub fn serve_or_migrate<C>(
    binary: Binary<'_, C>,
    serve: impl FnOnce(C, DbPool) -> Result<(), String>,
) -> ExitCode {
    let usage = format!(
        "usage: {name} [--config PATH] [serve | migrate]

  serve     run the HTTP service (default)
  migrate   apply pending database migrations and exit

Configuration: built-in defaults < --config FILE < {env}__SECTION__KEY environment variables.",
        name = binary.name,
        env = binary.env_prefix,
    );
    let open = |config: &C, migrate: bool| {
        db::open((binary.database)(config), binary.migrations, migrate).map_err(|e| e.to_string())
    };
    cli::main(
        binary.name,
        &usage,
        &[],
        binary.load,
        |config, args| match args.command.as_str() {
            "serve" => {
                let migrate = (binary.database)(&config).migrate_on_start;
                let pool = open(&config, migrate)?;
                let last = pool.clone();
                let served = serve(config, pool);
                last.release();
                served
            }
            "migrate" => open(&config, true).map(|_| ()),
            other => Err(format!("unknown command {other:?}\n{usage}")),
        },
    )
}

/// A service's link to iam-svc: the credential its internal calls present, the verifier
/// of X-Auth-Token and the feed that keeps the verifier's keys and revocations current.
pub struct IamClients {
    pub internal: InternalCredential,
    pub verifier: Arc<TokenVerifier>,
    pub feed: IamFeed,
}

/// Build the link to iam-svc that `link` configures; the verifier reads `clock`, the
/// service's own, and `sink` revokes the service's stored credentials as the feed's
/// events arrive.
pub fn iam_clients(
    link: &IamLink,
    clock: Clock,
    sink: Arc<dyn RevocationSink>,
) -> Result<IamClients, String> {
    let internal = keyfiles::read_internal_credential(&link.internal_credential_file)?;
    let verifier = Arc::new(TokenVerifier::new(VerifierOptions {
        max_feed_staleness: Duration::from_secs(link.max_staleness_seconds),
        clock,
        ..VerifierOptions::default()
    }));
    let feed = IamFeed::new(
        link.url.clone(),
        internal.clone(),
        verifier.clone(),
        Duration::from_millis(link.poll_interval_ms),
    )
    .with_sink(sink);
    Ok(IamClients {
        internal,
        verifier,
        feed,
    })
}

/// A task that runs beside the server for as long as it does.
pub type Background = Pin<Box<dyn Future<Output = ()>>>;

/// Fetch iam-svc's keys and revocations once, before the first request, so tokens verify
/// from the start: a replica started while its peers serve (a rolling restart) is put
/// back in rotation as soon as /readyz answers, and would otherwise refuse every token
/// with 503 "revocation feed is stale" until the feed's first poll. If iam-svc is not up
/// yet the feed keeps trying in the background.
pub async fn prime(feed: &IamFeed) {
    if let Err(e) = feed.refresh_keys().await {
        log::warn!("iam-svc keys not available yet ({e}); retrying in the background");
    }
    if let Err(e) = feed.pull_revocations().await {
        log::warn!("iam-svc revocations not available yet ({e}); retrying in the background");
    }
}

/// Serve `factory`'s app on `server` until it stops, on a new actix system, with `feed`
/// (primed first: see [`prime`]) and `background` running beside it.
pub fn run<F, T>(
    name: &str,
    server: &ServerConfig,
    feed: IamFeed,
    background: Vec<Background>,
    factory: F,
) -> Result<(), String>
where
    F: Fn() -> App<T> + Send + Clone + 'static,
    T: AppFactory + 'static,
{
    actix_web::rt::System::new().block_on(async move {
        prime(&feed).await;
        actix_web::rt::spawn(feed.run());
        for task in background {
            actix_web::rt::spawn(task);
        }
        crate::http::serve(name, server, factory).await
    })
}
