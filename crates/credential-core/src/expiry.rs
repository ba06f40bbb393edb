//! Expiry rules. Every function takes the current time as a parameter: this crate never reads
//! the clock (enforced by `clippy.toml`), so callers decide what "now" is and tests need no
//! sleeping.

use chrono::{DateTime, Duration, Utc};
use thiserror::Error;

/// A requested lifetime outside the allowed bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum ExpiryError {
    /// Shorter than the minimum.
    #[error("lifetime must be at least {} seconds", min.num_seconds())]
    TooShort {
        /// The shortest allowed lifetime.
        min: Duration,
    },
    /// Longer than the maximum.
    #[error("lifetime must be at most {} seconds", max.num_seconds())]
    TooLong {
        /// The longest allowed lifetime.
        max: Duration,
    },
}

/// The moment a credential issued at `issued_at` with `lifetime` stops being valid.
/// Saturates at the largest representable time instead of overflowing.
///
/// # Examples
///
/// ```
/// use chrono::{Duration, TimeZone, Utc};
/// use credential_core::expiry::{expires_at, is_expired};
///
/// let issued = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
/// let exp = expires_at(issued, Duration::hours(1));
/// assert!(!is_expired(exp, issued + Duration::minutes(59)));
/// assert!(is_expired(exp, exp));
/// ```
pub fn expires_at(issued_at: DateTime<Utc>, lifetime: Duration) -> DateTime<Utc> {
    issued_at
        .checked_add_signed(lifetime)
        .unwrap_or(if lifetime < Duration::zero() {
            DateTime::<Utc>::MIN_UTC
        } else {
            DateTime::<Utc>::MAX_UTC
        })
}

/// True when `now` has reached `expires_at`: the expiry instant itself is already expired.
pub fn is_expired(expires_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now >= expires_at
}

/// The allowed range of a requested lifetime and the lifetime used when none is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LifetimeBounds {
    /// Shortest accepted lifetime (inclusive).
    pub min: Duration,
    /// Longest accepted lifetime (inclusive).
    pub max: Duration,
    /// Lifetime when the request does not name one.
    pub default: Duration,
}

impl LifetimeBounds {
    /// Returns the requested lifetime if it is within `[min, max]`, the default if none was
    /// requested, and an error otherwise. The default is returned as configured, unchecked.
    ///
    /// # Examples
    ///
    /// ```
    /// use chrono::Duration;
    /// use credential_core::expiry::{ExpiryError, LifetimeBounds};
    ///
    /// let b = LifetimeBounds { min: Duration::minutes(15), max: Duration::hours(24), default: Duration::hours(1) };
    /// assert_eq!(b.resolve(None), Ok(Duration::hours(1)));
    /// assert_eq!(b.resolve(Some(Duration::hours(2))), Ok(Duration::hours(2)));
    /// assert_eq!(b.resolve(Some(Duration::minutes(1))), Err(ExpiryError::TooShort { min: Duration::minutes(15) }));
    /// ```
    pub fn resolve(&self, requested: Option<Duration>) -> Result<Duration, ExpiryError> {
        match requested {
            None => Ok(self.default),
            Some(d) if d < self.min => Err(ExpiryError::TooShort { min: self.min }),
            Some(d) if d > self.max => Err(ExpiryError::TooLong { max: self.max }),
            Some(d) => Ok(d),
        }
    }
}

/// True when `claimed` (a client's timestamp) is at most `max_skew` away from `now`, in
/// either direction.
///
/// # Examples
///
/// ```
/// use chrono::{Duration, TimeZone, Utc};
/// use credential_core::expiry::within_skew;
///
/// let now = Utc.timestamp_opt(1_700_000_000, 0).unwrap();
/// assert!(within_skew(now - Duration::seconds(300), now, Duration::seconds(300)));
/// assert!(!within_skew(now + Duration::seconds(301), now, Duration::seconds(300)));
/// ```
pub fn within_skew(claimed: DateTime<Utc>, now: DateTime<Utc>, max_skew: Duration) -> bool {
    now.signed_duration_since(claimed).abs() <= max_skew
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap()
    }

    #[test]
    fn expiry_boundaries() {
        let exp = expires_at(t0(), Duration::seconds(10));
        assert_eq!(exp, t0() + Duration::seconds(10));
        assert!(!is_expired(exp, exp - Duration::nanoseconds(1)));
        assert!(is_expired(exp, exp));
        assert!(is_expired(exp, exp + Duration::days(1)));
    }

    #[test]
    fn expires_at_saturates() {
        assert_eq!(expires_at(t0(), Duration::MAX), DateTime::<Utc>::MAX_UTC);
        assert_eq!(expires_at(t0(), Duration::MIN), DateTime::<Utc>::MIN_UTC);
    }

    #[test]
    fn bounds() {
        let b = LifetimeBounds {
            min: Duration::minutes(15),
            max: Duration::hours(24),
            default: Duration::hours(1),
        };
        assert_eq!(
            b.resolve(Some(Duration::minutes(15))),
            Ok(Duration::minutes(15))
        );
        assert_eq!(
            b.resolve(Some(Duration::hours(24))),
            Ok(Duration::hours(24))
        );
        assert_eq!(
            b.resolve(Some(Duration::hours(25))),
            Err(ExpiryError::TooLong {
                max: Duration::hours(24)
            })
        );
        assert_eq!(
            ExpiryError::TooShort {
                min: Duration::minutes(15)
            }
            .to_string(),
            "lifetime must be at least 900 seconds"
        );
    }

    #[test]
    fn skew() {
        let s = Duration::minutes(15);
        assert!(within_skew(t0(), t0(), s));
        assert!(within_skew(t0() + s, t0(), s));
        assert!(within_skew(t0() - s, t0(), s));
        assert!(!within_skew(t0() + s + Duration::seconds(1), t0(), s));
        assert!(!within_skew(t0() - s - Duration::seconds(1), t0(), s));
    }
}
