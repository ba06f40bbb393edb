//! The redacting secret wrapper and constant-time comparison.
//!
//! Owns how a secret string may be seen: only through [`SecretString::expose`]. It never
//! prints, never serialises, and wipes its memory when dropped.

use std::fmt;

use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// A secret string (secret key, bearer token, password). `Debug` and `Display` print
/// `[REDACTED]`; the bytes are zeroed on drop. It deliberately does not implement
/// `Serialize`, so a secret cannot slip into a JSON body or log by accident: call
/// [`SecretString::expose`] where the value really must leave.
///
/// # Examples
///
/// ```
/// use credential_core::SecretString;
///
/// let sk = SecretString::from("hunter2");
/// assert_eq!(format!("{sk:?} {sk}"), "[REDACTED] [REDACTED]");
/// assert_eq!(sk.expose(), "hunter2");
/// ```
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SecretString(String);

impl SecretString {
    /// Wraps `s`; the wrapper now owns (and will wipe) its buffer.
    pub fn new(s: String) -> Self {
        Self(s)
    }

    /// Returns the secret text. Keep the borrow short and never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Compares with `other` in constant time (for equal lengths).
    pub fn ct_eq_str(&self, other: &str) -> bool {
        constant_time_eq(self.0.as_bytes(), other.as_bytes())
    }
}

impl From<String> for SecretString {
    fn from(s: String) -> Self {
        Self::new(s)
    }
}

impl From<&str> for SecretString {
    fn from(s: &str) -> Self {
        Self::new(s.to_owned())
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

impl fmt::Display for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

/// Compares two byte strings without an early exit on the first difference, so the time
/// taken does not reveal how much of a secret matched. Different lengths give `false`
/// (lengths are not secret here: every format we compare has a fixed length).
///
/// # Examples
///
/// ```
/// use credential_core::secret::constant_time_eq;
///
/// assert!(constant_time_eq(b"abc", b"abc"));
/// assert!(!constant_time_eq(b"abc", b"abd"));
/// assert!(!constant_time_eq(b"abc", b"abcd"));
/// ```
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_debug_and_display() {
        let s = SecretString::new("topsecret".to_owned());
        assert_eq!(format!("{s:?}"), "[REDACTED]");
        assert_eq!(format!("{s}"), "[REDACTED]");
        assert_eq!(format!("{:?}", Some(s.clone())), "Some([REDACTED])");
        assert_eq!(s.expose(), "topsecret");
    }

    #[test]
    fn zeroize_wipes_value() {
        let mut s = SecretString::from("abc");
        s.zeroize();
        assert_eq!(s.expose(), "");
    }

    #[test]
    fn constant_time_eq_cases() {
        assert!(constant_time_eq(b"", b""));
        assert!(constant_time_eq(b"same", b"same"));
        assert!(!constant_time_eq(b"same", b"Same"));
        assert!(!constant_time_eq(b"short", b"shorter"));
        assert!(SecretString::from("x").ct_eq_str("x"));
        assert!(!SecretString::from("x").ct_eq_str("y"));
    }
}
