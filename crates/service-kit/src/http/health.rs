//! `/healthz` (the process answers), `/readyz` (the service takes requests: it is not
//! draining and the database answers) and `/metrics`.

use actix_web::{web, HttpResponse};
use diesel::connection::SimpleConnection;

use super::{Metrics, Readiness};
use crate::db::DbPool;

/// Mount the three probes. Needs `web::Data<DbPool>` and `web::Data<Metrics>`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(healthz))
        .route("/readyz", web::get().to(readyz))
        .route("/metrics", web::get().to(metrics));
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"status": "ok"}))
}

async fn readyz(pool: web::Data<DbPool>, readiness: Option<web::Data<Readiness>>) -> HttpResponse {
    // Draining goes first and touches nothing: the balancer must hear it at once.
    if readiness.is_some_and(|r| r.is_draining()) {
        return HttpResponse::ServiceUnavailable().json(serde_json::json!({"status": "draining"}));
    }
    let pool = pool.get_ref().clone();
    let ready = web::block(move || -> Result<(), String> {
        let mut conn = pool.get().map_err(|e| e.to_string())?;
        conn.batch_execute("SELECT 1").map_err(|e| e.to_string())
    })
    .await;
    match ready {
        Ok(Ok(())) => HttpResponse::Ok().json(serde_json::json!({"status": "ready"})),
        Ok(Err(cause)) => {
            log::warn!("readiness check failed: {cause}");
            HttpResponse::ServiceUnavailable()
                .json(serde_json::json!({"status": "database unavailable"}))
        }
        Err(cause) => {
            log::warn!("readiness check failed: {cause}");
            HttpResponse::ServiceUnavailable().json(serde_json::json!({"status": "unavailable"}))
        }
    }
}

async fn metrics(metrics: web::Data<Metrics>, pool: web::Data<DbPool>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(metrics.render(Some(pool.state())))
}
