//! HTTP handlers, one file per resource. Each exposes `configure`.

pub mod access_keys_v5;
pub mod auth;
pub mod credentials;
pub mod discovery;
pub mod grants;
pub mod groups;
pub mod internal;
pub mod projects;
pub mod roles;
pub mod securitytokens;
pub mod users;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    discovery::configure(cfg);
    auth::configure(cfg);
    credentials::configure(cfg);
    securitytokens::configure(cfg);
    users::configure(cfg);
    projects::configure(cfg);
    groups::configure(cfg);
    roles::configure(cfg);
    grants::configure(cfg);
    internal::configure(cfg);
    // IAM v5 answers in its own envelope: every refusal under /v5, the router's 404 and
    // 405 included, goes through its middleware.
    cfg.service(
        web::scope("/v5")
            .wrap(actix_web::middleware::from_fn(crate::v5::envelope))
            .configure(access_keys_v5::configure)
            .default_service(web::to(v5_not_found)),
    );
}

async fn v5_not_found() -> Result<actix_web::HttpResponse, crate::v5::V5Error> {
    Err(crate::error::IamError::NotFound("resource").into())
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
