//! HTTP handlers, one file per resource. Each exposes `configure`.

pub mod credentials;
pub mod instances;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    instances::configure(cfg);
    credentials::configure(cfg);
}

/// `offset` (default 0) and `limit` (default 100, at most 100) from a query.
pub fn pagination(
    query: &std::collections::HashMap<String, String>,
) -> Result<(i64, i64), crate::error::SwrError> {
    use crate::error::SwrError;
    let offset = match query.get("offset") {
        None => 0,
        Some(v) => v.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
            SwrError::BadPagination("offset must be an integer of at least 0.".into())
        })?,
    };
    let limit = match query.get("limit") {
        None => 100,
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=100).contains(n))
            .ok_or_else(|| {
                SwrError::BadPagination("limit must be an integer from 1 to 100.".into())
            })?,
    };
    Ok((offset, limit))
}
