//! Failed-login limits per user and per client address.
//!
//! Only failures count, so a user who types the right password is never slowed down;
//! after too many failures in the window, further attempts for that user (or from that
//! address) are refused without checking the password.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::config::LoginLimitConfig;

pub struct LoginLimiter {
    window: Duration,
    per_user: usize,
    per_address: usize,
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

/// Above this many tracked keys, forget the ones with no recent failure.
const PRUNE_ABOVE: usize = 10_000;

impl LoginLimiter {
    pub fn new(cfg: &LoginLimitConfig) -> LoginLimiter {
        LoginLimiter {
            window: Duration::from_secs(cfg.window_seconds),
            per_user: cfg.max_failures_per_user as usize,
            per_address: cfg.max_failures_per_address as usize,
            failures: Mutex::default(),
        }
    }

    /// True when the user or the address has used up its failures.
    pub fn is_blocked(&self, user_key: &str, address: &str, now: Instant) -> bool {
        let Ok(mut map) = self.failures.lock() else {
            return true;
        };
        let over = |map: &mut HashMap<String, VecDeque<Instant>>, key: String, limit: usize| {
            map.get_mut(&key).is_some_and(|q| {
                while q
                    .front()
                    .is_some_and(|t| now.duration_since(*t) > self.window)
                {
                    q.pop_front();
                }
                q.len() >= limit
            })
        };
        over(&mut map, user(user_key), self.per_user)
            || over(&mut map, addr(address), self.per_address)
    }

    pub fn record_failure(&self, user_key: &str, address: &str, now: Instant) {
        let Ok(mut map) = self.failures.lock() else {
            return;
        };
        if map.len() > PRUNE_ABOVE {
            let window = self.window;
            map.retain(|_, q| q.back().is_some_and(|t| now.duration_since(*t) <= window));
        }
        map.entry(user(user_key)).or_default().push_back(now);
        map.entry(addr(address)).or_default().push_back(now);
    }

    pub fn record_success(&self, user_key: &str) {
        if let Ok(mut map) = self.failures.lock() {
            map.remove(&user(user_key));
        }
    }
}

fn user(key: &str) -> String {
    format!("u:{}", key.to_lowercase())
}

fn addr(key: &str) -> String {
    format!("a:{key}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter() -> LoginLimiter {
        LoginLimiter::new(&LoginLimitConfig {
            window_seconds: 60,
            max_failures_per_user: 3,
            max_failures_per_address: 5,
        })
    }

    #[test]
    fn user_blocked_after_limit_then_freed_by_the_window() {
        let l = limiter();
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(!l.is_blocked("d/alice", "1.1.1.1", t0));
            l.record_failure("d/alice", "1.1.1.1", t0);
        }
        assert!(l.is_blocked("d/alice", "2.2.2.2", t0));
        assert!(!l.is_blocked("d/bob", "2.2.2.2", t0));
        assert!(!l.is_blocked("d/alice", "2.2.2.2", t0 + Duration::from_secs(61)));
    }

    #[test]
    fn address_blocked_across_users() {
        let l = limiter();
        let t0 = Instant::now();
        for i in 0..5 {
            l.record_failure(&format!("d/u{i}"), "9.9.9.9", t0);
        }
        assert!(l.is_blocked("d/someone-else", "9.9.9.9", t0));
    }

    #[test]
    fn success_clears_the_user() {
        let l = limiter();
        let t0 = Instant::now();
        for _ in 0..2 {
            l.record_failure("d/alice", "1.1.1.1", t0);
        }
        l.record_success("d/alice");
        l.record_failure("d/alice", "1.1.1.1", t0);
        assert!(!l.is_blocked("d/alice", "3.3.3.3", t0));
    }
}
