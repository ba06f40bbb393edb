//! `tcr-svc [--config PATH] [serve|migrate]`: the shared start-up
//! ([`service_kit::start`]) with tcr-svc's own state, registry login and revocations.

use std::process::ExitCode;
use std::sync::Arc;

use actix_web::web;
use service_kit::auth::RoutingSignatureVerifier;
use service_kit::clock::Clock;
use service_kit::db::{Backend, DbPool};
use service_kit::http::Metrics;
use service_kit::registry;
use service_kit::start::{self, Binary};
use tcr_svc::app::{self, Collaborators};
use tcr_svc::config::TcrConfig;
use tcr_svc::ratelimit::RateLimiter;
use tcr_svc::registry_auth::TcrRegistryAuthorizer;
use tcr_svc::revocations::TokenRevoker;
use tcr_svc::startup;
use tcr_svc::state::AppState;
use tcr_svc::MIGRATIONS;

fn main() -> ExitCode {
    let binary = Binary {
        name: "tcr-svc",
        env_prefix: "TCR",
        load: TcrConfig::load,
        database: |cfg: &TcrConfig| &cfg.database,
        migrations: &MIGRATIONS,
    };
    start::serve_or_migrate(binary, serve)
}

fn serve(cfg: TcrConfig, pool: DbPool) -> Result<(), String> {
    startup::assign_registry_service(&pool, &cfg.registry)?;
    let clock = Clock::system();
    // The verifier holds the revocations temporary keys are checked against; stored
    // tokens of users who lost access are revoked as the events arrive.
    let revoker = TokenRevoker::new(pool.clone(), clock.clone());
    let iam = start::iam_clients(&cfg.iam, clock.clone(), Arc::new(revoker))?;
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
        registry_issuer: web::Data::new(issuer),
        registry_authorizer: Arc::new(TcrRegistryAuthorizer::new(pool.clone(), clock.clone())),
        metrics: web::Data::new(Metrics::new("tcr-svc")),
    });
    let server = cfg.server.clone();
    let signatures = Arc::new(RoutingSignatureVerifier::remote(
        &cfg.iam.url,
        &cfg.lakeformation.url,
        iam.internal,
    ));
    // Counted in the database when replicas share it (PostgreSQL), in memory otherwise.
    let limiter = RateLimiter::for_backend(Backend::of_url(&cfg.database.url), &pool);
    let background = limiter.pruning(clock.clone());
    let state = web::Data::new(AppState {
        pool,
        config: cfg,
        signatures,
        verifier: iam.verifier,
        limiter,
        clock,
    });
    start::run("tcr-svc", &server, iam.feed, background, move || {
        app::build(state.clone(), &collaborators)
    })
}
