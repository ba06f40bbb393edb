//! HTTP plumbing every service mounts: request ids with an access log, health and
//! readiness probes, Prometheus metrics, strict JSON bodies and the error plumbing.

pub mod errors;
mod health;
pub mod json;
mod metrics;
mod observe;
mod server;

pub use errors::ServiceError;
pub use health::configure as configure_health;
pub use json::{BodyError, StrictJson};
pub use metrics::Metrics;
pub use observe::{observe, RequestId, REQUEST_ID_HEADER};
pub use server::{separate_listeners, serve, InternalListener};
