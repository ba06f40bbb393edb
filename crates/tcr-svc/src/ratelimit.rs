//! Requests per second per account and action, in fixed one-second windows. The limiter
//! reads no clock: the caller says which second it is (the state's clock, which a test
//! holds still or steps).

use std::collections::HashMap;
use std::sync::Mutex;

/// Counts requests per (account, action) in the current second.
#[derive(Default)]
pub struct RateLimiter {
    windows: Mutex<HashMap<(String, String), (i64, u32)>>,
}

impl RateLimiter {
    /// Count one request at `now_second`; false when it is over `per_second`.
    pub fn allow(&self, account: &str, action: &str, per_second: u32, now_second: i64) -> bool {
        let Ok(mut map) = self.windows.lock() else {
            return false;
        };
        if map.len() > 100_000 {
            map.retain(|_, (second, _)| *second == now_second);
        }
        let entry = map
            .entry((account.to_string(), action.to_string()))
            .or_insert((now_second, 0));
        if entry.0 != now_second {
            *entry = (now_second, 0);
        }
        if entry.1 >= per_second {
            return false;
        }
        entry.1 += 1;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_each_account_and_action_per_second() {
        let l = RateLimiter::default();
        for _ in 0..3 {
            assert!(l.allow("a", "X", 3, 100));
        }
        assert!(!l.allow("a", "X", 3, 100));
        assert!(
            l.allow("a", "Y", 3, 100),
            "another action has its own budget"
        );
        assert!(
            l.allow("b", "X", 3, 100),
            "another account has its own budget"
        );
        assert!(l.allow("a", "X", 3, 101), "the next second starts afresh");
    }
}
