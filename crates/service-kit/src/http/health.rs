//! `/healthz` (the process answers), `/readyz` (the service takes requests: it is not
//! draining and the database answers) and `/metrics`.

use std::time::Duration;

use actix_web::{web, HttpResponse};

use super::{Metrics, Readiness};
use crate::db::DbPool;

/// Mount the three probes. Needs `web::Data<DbPool>` and `web::Data<Metrics>`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(healthz))
        .route("/readyz", web::get().to(readyz))
        .route("/metrics", web::get().to(metrics));
}

/// What a probe answers: `ok`, `ready`, `draining` or `database unavailable`.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct ProbeStatus {
    status: String,
}

#[utoipa::path(get, path = "/healthz", tag = "probes",
    responses((status = 200, description = "The process answers.", body = ProbeStatus)))]
pub(crate) async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"status": "ok"}))
}

/// The longest `/readyz` waits for a connection, when requests may wait longer: load
/// balancers poll it with short timeouts of their own and want a prompt no while the
/// database is away.
const READINESS_WAIT: Duration = Duration::from_secs(2);

#[utoipa::path(get, path = "/readyz", tag = "probes", responses(
    (status = 200, description = "The service takes requests.", body = ProbeStatus),
    (status = 503, description = "Draining after a stop signal, or the database does not answer.",
        body = ProbeStatus)))]
pub(crate) async fn readyz(
    pool: web::Data<DbPool>,
    readiness: Option<web::Data<Readiness>>,
) -> HttpResponse {
    // Draining goes first and touches nothing: the balancer must hear it at once.
    if readiness.is_some_and(|r| r.is_draining()) {
        return HttpResponse::ServiceUnavailable().json(serde_json::json!({"status": "draining"}));
    }
    match pool.ready(pool.acquire_timeout().min(READINESS_WAIT)).await {
        Ok(()) => HttpResponse::Ok().json(serde_json::json!({"status": "ready"})),
        Err(cause) => {
            log::warn!("readiness check failed: {cause}");
            HttpResponse::ServiceUnavailable()
                .json(serde_json::json!({"status": "database unavailable"}))
        }
    }
}

#[utoipa::path(get, path = "/metrics", tag = "probes", responses(
    (status = 200, description = "Prometheus text exposition format 0.0.4.",
        content_type = "text/plain; version=0.0.4", body = String)))]
pub(crate) async fn metrics(metrics: web::Data<Metrics>, pool: web::Data<DbPool>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(metrics.render(Some(pool.state())))
}
