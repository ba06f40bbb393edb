//! `tcr-svc [--config PATH] [serve|migrate]`

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
use tcr_svc::app::{self, Collaborators};
use tcr_svc::config::TcrConfig;
use tcr_svc::ratelimit::RateLimiter;
use tcr_svc::registry_auth::TcrRegistryAuthorizer;
use tcr_svc::revocations::TokenRevoker;
use tcr_svc::startup;
use tcr_svc::state::AppState;
use tcr_svc::MIGRATIONS;
const USAGE: &str = "usage: tcr-svc [--config PATH] [serve | migrate]

  serve     run the HTTP service (default)
  migrate   apply pending database migrations and exit

Configuration: built-in defaults < --config FILE < TCR__SECTION__KEY environment variables.";

fn main() -> ExitCode {
    cli::main(
        "tcr-svc",
        USAGE,
        &[],
        TcrConfig::load,
        |config, args| match args.command.as_str() {
            "serve" => serve(config),
            "migrate" => migrate(&config).map(|_| ()),
            other => Err(format!("unknown command {other:?}\n{USAGE}")),
        },
    )
}

fn migrate(cfg: &TcrConfig) -> Result<DbPool, String> {
    db::open(&cfg.database, &MIGRATIONS, true).map_err(|e| e.to_string())
}

fn serve(cfg: TcrConfig) -> Result<(), String> {
    let pool = db::open(&cfg.database, &MIGRATIONS, cfg.database.migrate_on_start)
        .map_err(|e| e.to_string())?;
    startup::assign_registry_service(&pool, &cfg.registry)?;
    let clock = Clock::system();
    let internal = keyfiles::read_internal_credential(&cfg.iam.internal_credential_file)?;
    let signer = keys::load_or_generate(
        &cfg.registry.signing_key_file,
        &cfg.registry.certificate_file,
        cfg.mode,
        &cfg.registry.issuer,
    )
    .map_err(|e| e.to_string())?;
    let parts = Arc::new(Collaborators {
        registry_issuer: web::Data::new(RegistryTokenIssuer {
            signer,
            issuer: cfg.registry.issuer.clone(),
            lifetime_seconds: cfg.registry.token_lifetime_seconds,
        }),
        registry_authorizer: Arc::new(TcrRegistryAuthorizer::new(pool.clone(), clock.clone())),
        metrics: web::Data::new(Metrics::new("tcr-svc")),
    });
    let server_config = cfg.server.clone();
    let signatures = Arc::new(RoutingSignatureVerifier::remote(
        &cfg.iam.url,
        &cfg.lakeformation.url,
        internal.clone(),
    ));
    // The revocations temporary keys are checked against; stored tokens of users who lost
    // access are revoked as the events arrive.
    let verifier = Arc::new(TokenVerifier::new(VerifierOptions {
        max_feed_staleness: Duration::from_secs(cfg.iam.max_staleness_seconds),
        ..VerifierOptions::default()
    }));
    let feed = IamFeed::new(
        cfg.iam.url.clone(),
        internal,
        verifier.clone(),
        Duration::from_millis(cfg.iam.poll_interval_ms),
    )
    .with_sink(Arc::new(TokenRevoker::new(pool.clone(), clock.clone())));
    let state = web::Data::new(AppState {
        pool,
        config: cfg,
        signatures,
        verifier,
        limiter: RateLimiter::default(),
        clock,
    });
    actix_web::rt::System::new().block_on(async move {
        actix_web::rt::spawn(feed.run());
        service_kit::http::serve("tcr-svc", &server_config, move || {
            app::build(state.clone(), &parts)
        })
        .await
    })
}
