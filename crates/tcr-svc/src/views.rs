//! Time formats of TCR answers.

use chrono::NaiveDateTime;

/// ISO 8601 with an offset, as Tencent writes times: `2024-11-28T03:40:44+00:00`.
pub fn tencent_time(t: NaiveDateTime) -> String {
    service_kit::timefmt::utc(t, 0, "+00:00")
}

/// Milliseconds since the epoch (`ExpTime`, a token's `ExpiredAt`).
pub fn millis(t: NaiveDateTime) -> i64 {
    t.and_utc().timestamp_millis()
}
