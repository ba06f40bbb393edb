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

/// A body that may be empty (the SDK sends none without a model) or a JSON object.
pub fn optional_body<T: serde::de::DeserializeOwned + serde::Serialize + Default>(
    body: &[u8],
) -> Result<T, LfError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    let raw: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| LfError::BadRequest(service_kit::http::json::describe(&e)))?;
    Ok(service_kit::http::json::parse(raw)?)
}
