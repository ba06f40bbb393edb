//! `swr-svc [--config PATH] [serve|migrate]`

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use actix_web::web;
use service_kit::auth::{IamFeed, RoutingSignatureVerifier, TokenVerifier, VerifierOptions};
use service_kit::cli;
use service_kit::clock::Clock;
use service_kit::db::{self, DbPool};
use service_kit::http::Metrics;
use service_kit::keyfiles;
use service_kit::registry::{keys, RegistryTokenIssuer};
use swr_svc::app::{self, Collaborators};
use swr_svc::config::SwrConfig;
use swr_svc::registry_auth;
use swr_svc::revocation::StoredRevocations;
use swr_svc::state::AppState;
use swr_svc::MIGRATIONS;
const USAGE: &str = "usage: swr-svc [--config PATH] [serve | migrate]

  serve     run the HTTP service (default)
  migrate   apply pending database migrations and exit

Configuration: built-in defaults < --config FILE < SWR__SECTION__KEY environment variables.";

fn main() -> ExitCode {
    cli::main(
        "swr-svc",
        USAGE,
        &[],
        SwrConfig::load,
        |config, args| match args.command.as_str() {
            "serve" => serve(config),
            "migrate" => migrate(&config).map(|_| ()),
            other => Err(format!("unknown command {other:?}\n{USAGE}")),
        },
    )
}

fn migrate(cfg: &SwrConfig) -> Result<DbPool, String> {
    db::open(&cfg.database, &MIGRATIONS, true).map_err(|e| e.to_string())
}

fn serve(cfg: SwrConfig) -> Result<(), String> {
    let pool = db::open(&cfg.database, &MIGRATIONS, cfg.database.migrate_on_start)
        .map_err(|e| e.to_string())?;
    swr_svc::startup::assign_registry(&pool, &cfg.registry)
        .map_err(|e| format!("assigning the configured registry to every instance: {e}"))?;
    let internal = keyfiles::read_internal_credential(&cfg.iam.internal_credential_file)?;
    let signer = keys::load_or_generate(
        &cfg.registry.signing_key_file,
        &cfg.registry.certificate_file,
        cfg.mode,
        &cfg.registry.issuer,
    )
    .map_err(|e| e.to_string())?;
    let issuer = web::Data::new(RegistryTokenIssuer {
        signer,
        issuer: cfg.registry.issuer.clone(),
        lifetime_seconds: cfg.registry.token_lifetime_seconds,
    });
    let verifier = Arc::new(TokenVerifier::new(VerifierOptions {
        max_feed_staleness: Duration::from_secs(cfg.iam.max_staleness_seconds),
        ..VerifierOptions::default()
    }));
    let signatures = Arc::new(RoutingSignatureVerifier::remote(
        &cfg.iam.url,
        &cfg.lakeformation.url,
        internal.clone(),
    ));
    let feed = IamFeed::new(
        cfg.iam.url.clone(),
        internal,
        verifier.clone(),
        Duration::from_millis(cfg.iam.poll_interval_ms),
    )
    .with_sink(Arc::new(StoredRevocations::new(pool.clone())));
    let server_config = cfg.server.clone();
    let state = web::Data::new(AppState {
        pool: pool.clone(),
        config: cfg,
        verifier,
    });
    let parts = Arc::new(Collaborators {
        signatures,
        registry_issuer: issuer,
        registry_authorizer: Arc::new(registry_auth::authorizer(pool, Clock::system())),
        metrics: web::Data::new(Metrics::new("swr-svc")),
    });
    actix_web::rt::System::new().block_on(async move {
        if let Err(e) = feed.refresh_keys().await {
            log::warn!("iam-svc keys not available yet ({e}); retrying in the background");
        }
        actix_web::rt::spawn(feed.run());
        service_kit::http::serve("swr-svc", &server_config, move || {
            app::build(state.clone(), &parts)
        })
        .await
    })
}
