//! HTTP plumbing every service mounts: the app frame with its middleware order, request
//! ids with an access log, health and readiness probes, Prometheus metrics, strict JSON
//! bodies and the error plumbing; serving it with the drain on a stop signal, the limits
//! on slow or oversized requests and the client's address behind trusted proxies.

mod body_deadline;
mod client_address;
mod drain;
pub mod errors;
pub mod frame;
mod head_limit;
pub(crate) mod health;
pub mod json;
mod metrics;
mod observe;
pub mod refusal;
mod server;

pub use body_deadline::BodyTimeout;
pub use client_address::{client_address, ProxyRange, TrustedProxies};
pub use drain::{os_signals, Readiness, StopSignals};
pub use errors::ServiceError;
pub use frame::{AppFactory, AppFrame, JsonApi};
pub use head_limit::MAX_HEAD_BYTES;
pub use health::configure as configure_health;
pub use json::{BodyError, StrictJson};
pub use metrics::Metrics;
pub use observe::{observe, RequestId, REQUEST_ID_HEADER};
pub use server::{separate_listeners, serve, serve_until, InternalListener};
