//! Time formats of SWR answers.

use chrono::NaiveDateTime;

/// `2023-10-20T15:30:00Z`, as the vendor's examples show.
pub fn swr_time(t: NaiveDateTime) -> String {
    service_kit::timefmt::utc(t, 0, "Z")
}
