//! When a service account expires: `Duration` (days from now) wins over `ExpiresAt`
//! (milliseconds since the epoch), as Tencent documents; with neither it never expires.
//! A never-expiring account shows `ExpiresAt: -1` (Harbor's word for "never", which
//! Tencent's robots are), and `ExpiresAt: -1` sent back means never again, so that a
//! client that writes back what it read (Terraform) keeps it so.

use chrono::{DateTime, Duration, NaiveDateTime};

use crate::error::TcrError;

/// "Never", on the wire.
pub const NEVER: i64 = -1;
/// The furthest an expiry may be set: far enough for any CI, near enough for every clock.
pub const MAX_DAYS: i64 = 36_500;

/// What a request asks of the expiry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expiry {
    /// Neither field was given: at create, never; at modify, unchanged.
    Unset,
    Never,
    At(NaiveDateTime),
}

/// The expiry `duration_days` and `expires_at_ms` ask for, at `now`.
pub fn parse(
    duration_days: Option<i64>,
    expires_at_ms: Option<i64>,
    now: NaiveDateTime,
) -> Result<Expiry, TcrError> {
    let latest = now + Duration::days(MAX_DAYS);
    match (duration_days, expires_at_ms) {
        (Some(days), _) if (1..=MAX_DAYS).contains(&days) => {
            Ok(Expiry::At(now + Duration::days(days)))
        }
        (Some(_), _) => Err(TcrError::InvalidParameterValue(format!(
            "Duration must be 1 to {MAX_DAYS} days."
        ))),
        (None, Some(NEVER)) => Ok(Expiry::Never),
        (None, Some(ms)) => match DateTime::from_timestamp_millis(ms).map(|t| t.naive_utc()) {
            Some(at) if at > now && at <= latest => Ok(Expiry::At(at)),
            _ => Err(TcrError::InvalidParameterValue(format!(
                "ExpiresAt must be a time in milliseconds after now and within {MAX_DAYS} days, or -1 for never."
            ))),
        },
        (None, None) => Ok(Expiry::Unset),
    }
}

/// The stored expiry (`None`: never) on the wire.
pub fn millis(expires_at: Option<NaiveDateTime>) -> i64 {
    expires_at.map_or(NEVER, |t| t.and_utc().timestamp_millis())
}

/// Whether an account with this expiry is still live at `now`.
pub fn live(expires_at: Option<NaiveDateTime>, now: NaiveDateTime) -> bool {
    expires_at.is_none_or(|t| t > now)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> NaiveDateTime {
        DateTime::from_timestamp(1_700_000_000, 0)
            .unwrap()
            .naive_utc()
    }

    #[test]
    fn duration_wins_and_an_expires_at_of_minus_one_is_never() {
        let in_ten = now() + Duration::days(10);
        assert_eq!(parse(Some(10), Some(1), now()).unwrap(), Expiry::At(in_ten));
        assert_eq!(parse(None, Some(-1), now()).unwrap(), Expiry::Never);
        assert_eq!(parse(None, None, now()).unwrap(), Expiry::Unset);
        let ms = 1_700_000_000_000 + 60_000;
        let at = DateTime::from_timestamp_millis(ms).unwrap().naive_utc();
        assert_eq!(parse(None, Some(ms), now()).unwrap(), Expiry::At(at));
        assert_eq!(millis(Some(at)), ms);
        assert_eq!(millis(None), NEVER);
    }

    #[test]
    fn the_past_zero_and_the_far_future_are_refused() {
        for (days, ms) in [
            (Some(0), None),
            (Some(-1), None),
            (Some(-1), Some(-1)),
            (Some(-2), None),
            (Some(MAX_DAYS + 1), None),
            (Some(i64::MAX), None),
            (None, Some(0)),
            (None, Some(1_700_000_000_000)),
            (None, Some(-2)),
            (None, Some(i64::MAX)),
            (None, Some(i64::MIN)),
        ] {
            assert!(parse(days, ms, now()).is_err(), "{days:?} {ms:?}");
        }
    }

    #[test]
    fn an_account_is_live_until_its_expiry() {
        assert!(live(None, now()));
        assert!(live(Some(now() + Duration::seconds(1)), now()));
        assert!(!live(Some(now()), now()));
    }
}
