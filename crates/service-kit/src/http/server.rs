//! Binding and running a service's HTTP server: the public listener and, when
//! configured, the internal one that alone serves `/internal/v1/*`.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{web, App, HttpServer};

use super::errors::ServiceError;
use super::frame::AppFactory;
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

/// Serve the app `factory` builds on the configured address until the server stops
/// (SIGINT or SIGTERM). Call it inside the actix system the service runs on.
pub async fn serve<F, T>(name: &str, server: &ServerConfig, factory: F) -> Result<(), String>
where
    F: Fn() -> App<T> + Send + Clone + 'static,
    T: AppFactory + 'static,
{
    let internal = server
        .internal_port
        .map(|port| web::Data::new(InternalListener { port }));
    let with_listener = internal.clone();
    let mut http = HttpServer::new(move || match &with_listener {
        Some(listener) => factory().app_data(listener.clone()),
        None => factory(),
    });
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
    http.run().await.map_err(|e| e.to_string())
}
