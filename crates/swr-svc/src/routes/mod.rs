//! HTTP handlers, one file per resource. Each exposes `configure`.

pub mod credentials;
pub mod instances;
pub mod namespaces;

use actix_web::web;

pub use crate::domain::{instance, lock_instance, page_bounds, pagination};

pub fn configure(cfg: &mut web::ServiceConfig) {
    instances::configure(cfg);
    credentials::configure(cfg);
    namespaces::configure(cfg);
}
