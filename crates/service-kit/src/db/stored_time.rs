//! The precision a timestamp keeps once stored.
//!
//! Both backends keep microseconds: PostgreSQL's `timestamp` has no finer unit, and the
//! SQLite text is written from the same value. A time compared with what was written must
//! be cut the same way first, or a row read back would differ from the value that made it.

use chrono::{DateTime, NaiveDateTime, Timelike, Utc};

/// `at` as a `Timestamp` column stores it: UTC, whole microseconds (the rest dropped, not
/// rounded, so the stored time is never later than `at`).
///
/// ```
/// use chrono::{DateTime, Timelike};
/// use service_kit::db::stored_time;
///
/// let at = DateTime::from_timestamp(1_700_000_000, 123_456_789).unwrap();
/// assert_eq!(stored_time(at).nanosecond(), 123_456_000);
/// ```
pub fn stored_time(at: DateTime<Utc>) -> NaiveDateTime {
    let naive = at.naive_utc();
    // Cannot fail: fewer nanoseconds than a valid value already had.
    naive
        .with_nanosecond(naive.nanosecond() / 1000 * 1000)
        .unwrap_or(naive)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_whole_microseconds_and_the_leap_second() {
        let cases = [
            (0, 0),
            (999, 0),
            (1_000, 1_000),
            (123_456_789, 123_456_000),
            (999_999_999, 999_999_000),
            // chrono's leap second: a nanosecond count past one second stays past it.
            (1_999_999_999, 1_999_999_000),
        ];
        for (nanos, stored) in cases {
            let at = DateTime::from_timestamp(1_700_000_039, nanos).unwrap();
            assert_eq!(stored_time(at).nanosecond(), stored, "{nanos}");
            assert_eq!(stored_time(at).and_utc().timestamp(), at.timestamp());
        }
    }
}
