//! HTTP handlers, one file per resource. Each exposes `configure`.

pub mod credentials;
pub mod instances;
pub mod internal;
pub mod views;

use actix_web::web;
use service_kit::auth::Authenticated;

use crate::error::LfError;

/// The authenticated caller of a lakeformation-svc endpoint.
pub type Caller = Authenticated<LfError>;

pub fn configure(cfg: &mut web::ServiceConfig) {
    instances::configure(cfg);
    credentials::configure(cfg);
    internal::configure(cfg);
}
