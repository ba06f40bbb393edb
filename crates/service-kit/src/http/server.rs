//! Binding and running a service's HTTP server.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::{App, HttpServer};

use crate::config::ServerConfig;

/// Serve the app `factory` builds on the configured address until the server stops
/// (SIGINT or SIGTERM). Call it inside the actix system the service runs on.
pub async fn serve<F, T, B>(name: &str, server: &ServerConfig, factory: F) -> Result<(), String>
where
    F: Fn() -> App<T> + Send + Clone + 'static,
    T: ServiceFactory<
            ServiceRequest,
            Config = (),
            Response = ServiceResponse<B>,
            Error = actix_web::Error,
            InitError = (),
        > + 'static,
    B: MessageBody + 'static,
{
    let mut http = HttpServer::new(factory);
    if let Some(n) = server.workers {
        http = http.workers(n);
    }
    let bind = (server.host.as_str(), server.port);
    let http = http
        .bind(bind)
        .map_err(|e| format!("cannot listen on {}:{}: {e}", bind.0, bind.1))?;
    log::info!("{name} listening on {}:{}", bind.0, bind.1);
    http.run().await.map_err(|e| e.to_string())
}
