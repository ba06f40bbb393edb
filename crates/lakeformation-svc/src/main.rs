//! `lakeformation-svc [--config PATH] [serve|migrate]`: the shared start-up
//! ([`service_kit::start`]) with this service's own keyring, temporary-key verifier and
//! revocations.

use std::process::ExitCode;
use std::sync::Arc;

use actix_web::web;
use credential_core::security_token::Issuer;
use lakeformation_svc::app::{self, Collaborators};
use lakeformation_svc::config::LfConfig;
use lakeformation_svc::revocations::IssuanceRevoker;
use lakeformation_svc::state::AppState;
use lakeformation_svc::verifier::{TemporaryKeyVerifier, TemporaryKeys};
use lakeformation_svc::MIGRATIONS;
use service_kit::auth::{replay, RemoteSignatureVerifier, RoutingSignatureVerifier};
use service_kit::clock::Clock;
use service_kit::db::DbPool;
use service_kit::http::Metrics;
use service_kit::keyfiles;
use service_kit::start::{self, Binary};

fn main() -> ExitCode {
    let binary = Binary {
        name: "lakeformation-svc",
        env_prefix: "LAKEFORMATION",
        load: LfConfig::load,
        database: |cfg: &LfConfig| &cfg.database,
        migrations: &MIGRATIONS,
    };
    start::serve_or_migrate(binary, serve)
}

fn serve(cfg: LfConfig, pool: DbPool) -> Result<(), String> {
    let clock = Clock::system();
    let revoker = IssuanceRevoker::new(pool.clone()).with_clock(clock.clone());
    let link = start::iam_clients(&cfg.iam, clock.clone(), Arc::new(revoker))?;
    let keyring = keyfiles::load_master_keyring(&cfg.credentials.sealing_key_file, cfg.mode)
        .map_err(|e| e.to_string())?;
    let iam = Arc::new(RemoteSignatureVerifier::new(
        cfg.iam.url.clone(),
        link.internal.clone(),
    ));
    let temporary = TemporaryKeyVerifier::new(pool.clone(), TemporaryKeys::new(Arc::new(keyring)))
        .with_clock(clock.clone());
    let collaborators = Arc::new(Collaborators {
        // Permanent keys and iam-svc's temporary keys to iam-svc; ours checked here.
        signatures: Arc::new(
            RoutingSignatureVerifier::new(iam.clone(), Some(Arc::new(temporary.clone())))
                .with_issuer(Issuer::Iam, iam.clone()),
        ),
        internal: web::Data::new(link.internal),
        metrics: web::Data::new(Metrics::new("lakeformation-svc")),
    });
    let server = cfg.server.clone();
    let prune_replays = Box::pin(replay::prune_forever(pool.clone()));
    let state = web::Data::new(AppState {
        pool,
        config: cfg,
        verifier: link.verifier,
        iam,
        temporary,
        clock,
    });
    start::run(
        "lakeformation-svc",
        &server,
        link.feed,
        vec![prune_replays],
        move || app::build(state.clone(), &collaborators),
    )
}
