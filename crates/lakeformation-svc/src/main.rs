//! `lakeformation-svc [--config PATH] [serve|migrate]`

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use actix_web::web;
use lakeformation_svc::app::{self, Collaborators};
use lakeformation_svc::config::LfConfig;
use lakeformation_svc::revocations::IssuanceRevoker;
use lakeformation_svc::state::AppState;
use lakeformation_svc::verifier::TemporaryKeyVerifier;
use lakeformation_svc::MIGRATIONS;
use service_kit::auth::replay;
use service_kit::auth::{
    IamFeed, RemoteSignatureVerifier, RoutingSignatureVerifier, TokenVerifier, VerifierOptions,
};
use service_kit::cli;
use service_kit::db::{self, DbPool};
use service_kit::http::Metrics;
use service_kit::keyfiles;
const USAGE: &str = "usage: lakeformation-svc [--config PATH] [serve | migrate]

  serve     run the HTTP service (default)
  migrate   apply pending database migrations and exit

Configuration: built-in defaults < --config FILE < LAKEFORMATION__SECTION__KEY environment variables.";

fn main() -> ExitCode {
    cli::main(
        "lakeformation-svc",
        USAGE,
        &[],
        LfConfig::load,
        |config, args| match args.command.as_str() {
            "serve" => serve(config),
            "migrate" => migrate(&config).map(|_| ()),
            other => Err(format!("unknown command {other:?}\n{USAGE}")),
        },
    )
}

fn migrate(cfg: &LfConfig) -> Result<DbPool, String> {
    db::open(&cfg.database, &MIGRATIONS, true).map_err(|e| e.to_string())
}

fn serve(cfg: LfConfig) -> Result<(), String> {
    let pool = db::open(&cfg.database, &MIGRATIONS, cfg.database.migrate_on_start)
        .map_err(|e| e.to_string())?;
    let internal = keyfiles::read_internal_credential(&cfg.iam.internal_credential_file)?;
    let keyring = keyfiles::load_master_keyring(&cfg.credentials.sealing_key_file, cfg.mode)
        .map_err(|e| e.to_string())?;
    let verifier = Arc::new(TokenVerifier::new(VerifierOptions {
        max_feed_staleness: Duration::from_secs(cfg.iam.max_staleness_seconds),
        ..VerifierOptions::default()
    }));
    let iam = Arc::new(RemoteSignatureVerifier::new(
        cfg.iam.url.clone(),
        internal.clone(),
    ));
    let temporary = TemporaryKeyVerifier::new(pool.clone(), Arc::new(keyring));
    let feed = IamFeed::new(
        cfg.iam.url.clone(),
        internal.clone(),
        verifier.clone(),
        Duration::from_millis(cfg.iam.poll_interval_ms),
    )
    .with_sink(Arc::new(IssuanceRevoker::new(pool.clone())));
    let parts = Arc::new(Collaborators {
        signatures: Arc::new(RoutingSignatureVerifier::new(
            iam.clone(),
            Some(Arc::new(temporary.clone())),
        )),
        internal: web::Data::new(internal),
        metrics: web::Data::new(Metrics::new("lakeformation-svc")),
    });
    let server_config = cfg.server.clone();
    let state = web::Data::new(AppState {
        pool,
        config: cfg,
        verifier,
        iam,
        temporary,
    });
    actix_web::rt::System::new().block_on(async move {
        if let Err(e) = feed.refresh_keys().await {
            log::warn!("iam-svc keys not available yet ({e}); retrying in the background");
        }
        actix_web::rt::spawn(feed.run());
        actix_web::rt::spawn(replay::prune_forever(state.pool.clone()));
        service_kit::http::serve("lakeformation-svc", &server_config, move || {
            app::build(state.clone(), &parts)
        })
        .await
    })
}
