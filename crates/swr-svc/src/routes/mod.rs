//! HTTP handlers, one file per resource. Each exposes `configure`; a handler extracts the
//! request, calls one `crate::domain` function and renders its answer.

pub mod credentials;
pub mod instances;
pub mod jobs;
pub mod namespaces;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    instances::configure(cfg);
    jobs::configure(cfg);
    credentials::configure(cfg);
    namespaces::configure(cfg);
}
