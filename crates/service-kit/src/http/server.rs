//! Binding and running a service's HTTP server: the public listener and, when
//! configured, the internal one that alone serves `/internal/v1/*`; the limits that keep
//! hostile or broken clients from holding it; the drain on a stop signal.

use std::time::Duration;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::{from_fn, Next};
use actix_web::{web, App, HttpServer};

use super::body_deadline::{limit_body_time, BodyTimeout};
use super::client_address::TrustedProxies;
use super::drain::{self, close_when_draining, os_signals, Readiness, StopSignals};
use super::errors::ServiceError;
use super::frame::AppFactory;
use super::head_limit::limit_head_size;
use crate::config::ServerConfig;

/// The prefix of the calls between services.
pub const INTERNAL_PREFIX: &str = "/internal/";

/// Which port is the internal listener's (app data that [`serve`] adds).
#[derive(Clone, Copy, Debug)]
pub struct InternalListener {
    pub port: u16,
}

/// Middleware (`from_fn(separate_listeners::<E, _>)`): with an internal listener, internal
/// paths are not found on the public one and the public API is not found on the internal
/// one. Health and metrics answer on both. Without one (or in tests) it lets all through.
pub async fn separate_listeners<E: ServiceError, B: MessageBody + 'static>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if let Some(internal) = req.app_data::<web::Data<InternalListener>>() {
        let path = req.path();
        let shared = matches!(path, "/healthz" | "/readyz" | "/metrics");
        let on_internal = req.app_config().local_addr().port() == internal.port;
        if !shared && path.starts_with(INTERNAL_PREFIX) != on_internal {
            return Ok(req.into_response(E::not_found().error_response()));
        }
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

/// Serve the app `factory` builds on the configured address until the server stops on
/// SIGTERM or SIGINT, draining first (see [`super::drain`]). Call it inside the actix
/// system the service runs on.
pub async fn serve<F, T>(name: &str, server: &ServerConfig, factory: F) -> Result<(), String>
where
    F: Fn() -> App<T> + Send + Clone + 'static,
    T: AppFactory + 'static,
{
    raise_open_files_limit(name);
    serve_until(name, server, factory, os_signals()?).await
}

/// [`serve`], stopped by `signals` instead of the process's: tests send their own.
pub async fn serve_until<F, T>(
    name: &str,
    server: &ServerConfig,
    factory: F,
    signals: StopSignals,
) -> Result<(), String>
where
    F: Fn() -> App<T> + Send + Clone + 'static,
    T: AppFactory + 'static,
{
    let internal = server
        .internal_port
        .map(|port| web::Data::new(InternalListener { port }));
    let readiness = web::Data::new(Readiness::default());
    let shared = (
        internal.clone(),
        readiness.clone(),
        web::Data::new(TrustedProxies(server.trusted_proxies.clone())),
        web::Data::new(BodyTimeout(Duration::from_millis(server.body_timeout_ms))),
    );
    let mut http = HttpServer::new(move || {
        let (internal, readiness, proxies, body_timeout) = shared.clone();
        let app = match internal {
            Some(listener) => factory().app_data(listener),
            None => factory(),
        };
        // Outside the service's own frame: these hold for every request on the socket.
        app.app_data(readiness)
            .app_data(proxies)
            .app_data(body_timeout)
            .wrap(from_fn(limit_body_time))
            .wrap(from_fn(close_when_draining))
            .wrap(from_fn(limit_head_size))
    })
    // Our own signal handling drains first; actix's would close the listener at once.
    .disable_signals()
    .shutdown_timeout(server.shutdown_timeout_seconds)
    // A client that trickles its request head is cut off (408) instead of holding a
    // connection; bodies are bounded by `limit_body_time`.
    .client_request_timeout(Duration::from_millis(server.client_request_timeout_ms))
    // Time a client gets to read our answer before the connection is dropped.
    .client_disconnect_timeout(Duration::from_secs(1))
    // Idle keep-alive connections go after a few seconds, so a thousand idle clients do
    // not pin descriptors and a graceful stop is not held up by them.
    .keep_alive(Duration::from_secs(5));
    if let Some(n) = server.workers {
        http = http.workers(n);
    }
    let bind = (server.host.as_str(), server.port);
    http = http
        .bind(bind)
        .map_err(|e| format!("cannot listen on {}:{}: {e}", bind.0, bind.1))?;
    log::info!("{name} listening on {}:{}", bind.0, bind.1);
    if let Some(internal) = internal {
        let host = server.internal_host.as_deref().unwrap_or(&server.host);
        http = http
            .bind((host, internal.port))
            .map_err(|e| format!("cannot listen on {host}:{}: {e}", internal.port))?;
        log::info!("{name} serves /internal/ on {host}:{} only", internal.port);
    }
    let running = http.run();
    let drain = Duration::from_millis(server.drain_ms);
    let stop = drain::drive(name, signals, readiness, running.handle(), drain);
    tokio::select! {
        result = running => result.map_err(|e| e.to_string()),
        // A signal during the graceful stop: dropping the server stops its workers now.
        () = stop => Ok(()),
    }
}

/// A thousand idle connections need a thousand descriptors; the soft limit is often
/// 1024 while the hard one is far higher, so the soft one is raised to the hard one.
fn raise_open_files_limit(name: &str) {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => log::info!("{name}: open files limit {limit}"),
        Err(e) => log::warn!("{name}: cannot raise the open files limit: {e}"),
    }
}
