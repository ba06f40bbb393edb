//! `swr-svc [--config PATH] [serve|migrate]`: the shared start-up
//! ([`service_kit::start`]) with swr-svc's own state, registry login and revocations.

use std::process::ExitCode;
use std::sync::Arc;

use actix_web::web;
use service_kit::auth::RoutingSignatureVerifier;
use service_kit::clock::Clock;
use service_kit::db::DbPool;
use service_kit::http::Metrics;
use service_kit::registry;
use service_kit::start::{self, Binary};
use swr_svc::app::{self, Collaborators};
use swr_svc::config::SwrConfig;
use swr_svc::registry_auth;
use swr_svc::revocation::StoredRevocations;
use swr_svc::state::AppState;
use swr_svc::MIGRATIONS;

fn main() -> ExitCode {
    let binary = Binary {
        name: "swr-svc",
        env_prefix: "SWR",
        load: SwrConfig::load,
        database: |cfg: &SwrConfig| &cfg.database,
        migrations: &MIGRATIONS,
    };
    start::serve_or_migrate(binary, serve)
}

fn serve(cfg: SwrConfig, pool: DbPool) -> Result<(), String> {
    let clock = Clock::system();
    swr_svc::startup::assign_registry(&pool, &cfg.registry, clock.stored_now())
        .map_err(|e| format!("assigning the configured registry to every instance: {e}"))?;
    let iam = start::iam_clients(
        &cfg.iam,
        clock.clone(),
        Arc::new(StoredRevocations::new(pool.clone())),
    )?;
    let registry = &cfg.registry;
    let issuer = registry::load_issuer(
        &registry.signing_key_file,
        &registry.certificate_file,
        cfg.mode,
        &registry.issuer,
        registry.token_lifetime_seconds,
        clock.clone(),
    )
    .map_err(|e| e.to_string())?;
    let collaborators = Arc::new(Collaborators {
        signatures: Arc::new(RoutingSignatureVerifier::remote(
            &cfg.iam.url,
            &cfg.lakeformation.url,
            iam.internal,
        )),
        registry_issuer: web::Data::new(issuer),
        registry_authorizer: Arc::new(registry_auth::authorizer(pool.clone(), clock.clone())),
        metrics: web::Data::new(Metrics::new("swr-svc")),
    });
    let server = cfg.server.clone();
    let state = web::Data::new(AppState {
        pool,
        config: cfg,
        verifier: iam.verifier,
        clock,
    });
    start::run("swr-svc", &server, iam.feed, Vec::new(), move || {
        app::build(state.clone(), &collaborators)
    })
}
