//! HTTP handlers, one file per resource. Each exposes `configure`.

pub mod auth;
pub mod credentials;
pub mod grants;
pub mod groups;
pub mod internal;
pub mod projects;
pub mod roles;
pub mod securitytokens;
pub mod users;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    auth::configure(cfg);
    credentials::configure(cfg);
    securitytokens::configure(cfg);
    users::configure(cfg);
    projects::configure(cfg);
    groups::configure(cfg);
    roles::configure(cfg);
    grants::configure(cfg);
    internal::configure(cfg);
}

/// `?enabled=true|false` as Keystone writes it.
pub fn parse_bool(
    name: &str,
    value: Option<&String>,
) -> Result<Option<bool>, crate::error::IamError> {
    match value.map(|v| v.to_ascii_lowercase()) {
        None => Ok(None),
        Some(v) if v == "true" => Ok(Some(true)),
        Some(v) if v == "false" => Ok(Some(false)),
        Some(_) => Err(crate::error::IamError::BadRequest(format!(
            "{name} must be true or false"
        ))),
    }
}
