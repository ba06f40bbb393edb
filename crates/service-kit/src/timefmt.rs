//! Timestamps as the vendor APIs print them.
//!
//! Written out field by field rather than through chrono's `format`, which interprets its
//! pattern string on every call: that was about 6% of the CPU of a credential list.

use std::fmt::Write;

use chrono::{Datelike, NaiveDateTime, Timelike};

/// `YYYY-MM-DDTHH:MM:SS`, then a fraction of `digits` digits (0 for none, at most 9) after
/// a dot, then `suffix` (`Z`, `+00:00`).
///
/// ```
/// use chrono::NaiveDate;
/// use service_kit::timefmt::utc;
///
/// let t = NaiveDate::from_ymd_opt(2020, 1, 8).unwrap().and_hms_micro_opt(6, 25, 19, 14_028).unwrap();
/// assert_eq!(utc(t, 0, "Z"), "2020-01-08T06:25:19Z");
/// assert_eq!(utc(t, 3, "Z"), "2020-01-08T06:25:19.014Z");
/// assert_eq!(utc(t, 6, "+00:00"), "2020-01-08T06:25:19.014028+00:00");
/// ```
pub fn utc(t: NaiveDateTime, digits: u32, suffix: &str) -> String {
    let digits = digits.min(9);
    let mut out = String::with_capacity(30 + suffix.len());
    let year = t.year();
    if (0..=9999).contains(&year) {
        push_digits(&mut out, year as u32, 4);
    } else {
        // ISO 8601's expanded years, as chrono's `%Y` writes them.
        let _ = write!(out, "{year:+05}");
    }
    for (separator, value) in [
        ('-', t.month()),
        ('-', t.day()),
        ('T', t.hour()),
        (':', t.minute()),
        (':', t.second()),
    ] {
        out.push(separator);
        push_digits(&mut out, value, 2);
    }
    if digits > 0 {
        // A leap second's nanoseconds run past 1e9; its fraction is what lies beyond.
        out.push('.');
        push_digits(
            &mut out,
            t.nanosecond() % 1_000_000_000 / 10u32.pow(9 - digits),
            digits,
        );
    }
    out.push_str(suffix);
    out
}

/// The last `width` decimal digits of `value`, zero-padded.
fn push_digits(out: &mut String, value: u32, width: u32) {
    for place in (0..width).rev() {
        let digit = value / 10u32.pow(place) % 10;
        out.push(char::from(b'0' + digit as u8));
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, NaiveDate};

    use super::*;

    #[test]
    fn matches_chronos_own_formatting() {
        let times = [
            NaiveDate::from_ymd_opt(1970, 1, 1)
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap(),
            NaiveDate::from_ymd_opt(2026, 11, 22)
                .unwrap()
                .and_hms_nano_opt(23, 59, 59, 999_999_999)
                .unwrap(),
            DateTime::from_timestamp(1_700_000_000, 123_456_789)
                .unwrap()
                .naive_utc(),
            NaiveDate::from_ymd_opt(12345, 6, 7)
                .unwrap()
                .and_hms_milli_opt(8, 9, 10, 11)
                .unwrap(),
            NaiveDate::from_ymd_opt(-44, 3, 15)
                .unwrap()
                .and_hms_opt(12, 0, 0)
                .unwrap(),
        ];
        let cases = [
            (0, "Z", "%Y-%m-%dT%H:%M:%SZ"),
            (3, "Z", "%Y-%m-%dT%H:%M:%S%.3fZ"),
            (6, "Z", "%Y-%m-%dT%H:%M:%S%.6fZ"),
            (0, "+00:00", "%Y-%m-%dT%H:%M:%S+00:00"),
        ];
        for t in times {
            for (digits, suffix, pattern) in cases {
                assert_eq!(
                    utc(t, digits, suffix),
                    t.and_utc().format(pattern).to_string(),
                    "{t} with {digits} digits"
                );
            }
        }
    }
}
