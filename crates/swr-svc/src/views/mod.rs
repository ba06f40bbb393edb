//! What swr-svc answers, as types: each is serialized as the vendor's shape and, through
//! `ToSchema`, documents that shape in the OpenAPI document, so the two cannot drift.
//! Fields are declared in name order: every answer lists its keys sorted.

pub mod credentials;
pub mod instances;
pub mod namespaces;

use chrono::NaiveDateTime;

/// `2023-10-20T15:30:00Z`, as the vendor's examples show.
pub fn swr_time(t: NaiveDateTime) -> String {
    service_kit::timefmt::utc(t, 0, "Z")
}
