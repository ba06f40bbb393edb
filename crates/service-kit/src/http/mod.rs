//! HTTP plumbing every service mounts: the app frame with its middleware order, request
//! ids with an access log, health and readiness probes, Prometheus metrics, strict JSON
//! bodies and the error plumbing.

pub mod errors;
pub mod frame;
mod health;
pub mod json;
mod metrics;
mod observe;
pub mod refusal;
mod server;

pub use errors::ServiceError;
pub use frame::{AppFactory, AppFrame, JsonApi};
pub use health::configure as configure_health;
pub use json::{BodyError, StrictJson};
pub use metrics::Metrics;
pub use observe::{observe, RequestId, REQUEST_ID_HEADER};
pub use server::{separate_listeners, serve, InternalListener};
