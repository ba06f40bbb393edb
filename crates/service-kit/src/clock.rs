//! The one source of "now" a service reads.
//!
//! A service holds a [`Clock`] in its state and reads it once per request; the rules it
//! calls take `now` as a parameter. Production runs on [`Clock::system`]; a test builds
//! [`Clock::fixed`] and moves it with [`Clock::advance`] or [`Clock::set`], so expiry,
//! purges and rate limits are tested without sleeping or racing the wall clock.
//!
//! This module is the only place in the services that reads the wall clock.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Duration, NaiveDateTime, Utc};

/// A time source. Clones share it: a test moves the clock it handed to the app and the
/// app sees the new time.
///
/// ```
/// use chrono::{DateTime, Duration};
/// use service_kit::clock::Clock;
///
/// let start = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
/// let clock = Clock::fixed(start);
/// let in_the_app = clock.clone();
/// clock.advance(Duration::minutes(5));
/// assert_eq!(in_the_app.now(), start + Duration::minutes(5));
/// ```
#[derive(Clone, Default)]
pub struct Clock {
    source: Source,
}

#[derive(Clone, Default)]
enum Source {
    /// The wall clock.
    #[default]
    System,
    /// A time that stands still until a test moves it.
    Fixed(Arc<Mutex<DateTime<Utc>>>),
}

impl Clock {
    /// The wall clock: what every service runs on outside tests.
    pub fn system() -> Clock {
        Clock {
            source: Source::System,
        }
    }

    /// A clock that reads `at` until moved.
    pub fn fixed(at: DateTime<Utc>) -> Clock {
        Clock {
            source: Source::Fixed(Arc::new(Mutex::new(at))),
        }
    }

    /// Whether this clock stands still until moved (built by [`Clock::fixed`]).
    pub fn is_fixed(&self) -> bool {
        matches!(self.source, Source::Fixed(_))
    }

    /// Moves a fixed clock forward by `by` (backward when negative). The system clock
    /// cannot be moved: on it this does nothing, as [`Clock::set`]. A test that means to
    /// move time builds a fixed clock; [`Clock::is_fixed`] says which one it holds.
    pub fn advance(&self, by: Duration) {
        if let Source::Fixed(at) = &self.source {
            let mut at = at.lock().unwrap_or_else(PoisonError::into_inner);
            *at += by;
        }
    }

    /// Puts a fixed clock at `at`. Does nothing on the system clock (see [`Clock::advance`]).
    pub fn set(&self, to: DateTime<Utc>) {
        if let Source::Fixed(at) = &self.source {
            *at.lock().unwrap_or_else(PoisonError::into_inner) = to;
        }
    }

    /// The current time.
    pub fn now(&self) -> DateTime<Utc> {
        match &self.source {
            #[allow(clippy::disallowed_methods)] // the one read of the wall clock
            Source::System => Utc::now(),
            // A poisoned lock still holds a whole `DateTime`: a panic cannot tear it.
            Source::Fixed(at) => *at.lock().unwrap_or_else(PoisonError::into_inner),
        }
    }

    /// The current time as a `Timestamp` column stores it (UTC, whole microseconds; see
    /// [`crate::db::stored_time`]), so a value written and read back compares equal.
    pub fn stored_now(&self) -> NaiveDateTime {
        crate::db::stored_time(self.now())
    }
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            Source::System => f.write_str("Clock::system"),
            Source::Fixed(_) => write!(f, "Clock::fixed({})", self.now()),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::Timelike;

    use super::*;

    fn start() -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000, 123_456_789).unwrap()
    }

    #[test]
    fn a_fixed_clock_stands_still_until_moved() {
        let clock = Clock::fixed(start());
        assert_eq!(clock.now(), start());
        assert_eq!(clock.now(), start());
        clock.advance(Duration::seconds(90));
        assert_eq!(clock.now(), start() + Duration::seconds(90));
        clock.advance(Duration::seconds(-30));
        assert_eq!(clock.now(), start() + Duration::seconds(60));
        let later = start() + Duration::days(2);
        clock.set(later);
        assert_eq!(clock.now(), later);
    }

    #[test]
    fn clones_share_one_time() {
        let clock = Clock::fixed(start());
        let held = clock.clone();
        clock.advance(Duration::hours(1));
        assert_eq!(held.now(), start() + Duration::hours(1));
        held.set(start());
        assert_eq!(clock.now(), start());
    }

    #[test]
    fn the_system_clock_follows_the_wall_and_cannot_be_moved() {
        let clock = Clock::default();
        assert!(!clock.is_fixed());
        let before = clock.now();
        clock.set(start());
        clock.advance(Duration::days(-365));
        let after = clock.now();
        assert!(after >= before, "{before} then {after}");
        assert!(after > start());
    }

    #[test]
    fn stored_now_keeps_microseconds() {
        let clock = Clock::fixed(start());
        assert_eq!(clock.stored_now().nanosecond(), 123_456_000);
        assert_eq!(clock.stored_now(), crate::db::stored_time(start()));
    }

    #[test]
    fn debug_says_which_clock() {
        assert_eq!(format!("{:?}", Clock::system()), "Clock::system");
        assert_eq!(
            format!("{:?}", Clock::fixed(start())),
            "Clock::fixed(2023-11-14 22:13:20.123456789 UTC)"
        );
    }
}
