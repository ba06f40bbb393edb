//! What can go wrong in the store, sorted by what the caller should answer.

use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// A storage failure, classified so services map it to the right status: an outage is
/// 503, a constraint is the caller's conflict, anything else is an internal error.
#[derive(Clone, Debug, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be reached or is too busy (pool timeout, closed connection,
    /// SQLite lock held past the busy timeout).
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// No row matched.
    #[error("not found")]
    NotFound,
    /// A unique constraint refused the write.
    #[error("unique constraint violated")]
    UniqueViolation,
    /// A foreign key refused the write.
    #[error("foreign key violated")]
    ForeignKeyViolation,
    /// Anything else; the cause is for the log only.
    #[error("database error: {0}")]
    Other(String),
}

impl StoreError {
    /// This error as the service's own, unless the store refused a name someone holds
    /// already: then `taken`, the service's refusal that names it. A unique constraint
    /// alone decides between two requests racing for one name, so this is where a taken
    /// name is told from any other failure.
    pub fn or_taken<E: From<StoreError>>(self, taken: impl FnOnce() -> E) -> E {
        match self {
            StoreError::UniqueViolation => taken(),
            other => other.into(),
        }
    }
}

impl From<DieselError> for StoreError {
    fn from(e: DieselError) -> Self {
        match e {
            DieselError::NotFound => StoreError::NotFound,
            DieselError::DatabaseError(kind, info) => match kind {
                DatabaseErrorKind::UniqueViolation => StoreError::UniqueViolation,
                DatabaseErrorKind::ForeignKeyViolation => StoreError::ForeignKeyViolation,
                DatabaseErrorKind::ClosedConnection
                | DatabaseErrorKind::SerializationFailure
                | DatabaseErrorKind::ReadOnlyTransaction => {
                    StoreError::Unavailable(info.message().to_string())
                }
                _ if is_lock_timeout(info.message()) => {
                    StoreError::Unavailable(info.message().to_string())
                }
                _ => StoreError::Other(info.message().to_string()),
            },
            DieselError::BrokenTransactionManager => StoreError::Unavailable(e.to_string()),
            other => StoreError::Other(other.to_string()),
        }
    }
}

impl From<r2d2::Error> for StoreError {
    fn from(e: r2d2::Error) -> Self {
        StoreError::Unavailable(e.to_string())
    }
}

fn is_lock_timeout(message: &str) -> bool {
    // SQLite reports an expired busy_timeout only through its message text.
    message.contains("database is locked") || message.contains("database is busy")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_found_stays_not_found() {
        assert!(matches!(
            StoreError::from(DieselError::NotFound),
            StoreError::NotFound
        ));
    }

    #[test]
    fn only_a_unique_violation_is_a_taken_name() {
        #[derive(Debug, PartialEq)]
        enum Answer {
            Taken,
            Store(String),
        }
        impl From<StoreError> for Answer {
            fn from(e: StoreError) -> Self {
                Answer::Store(e.to_string())
            }
        }
        let taken = || Answer::Taken;
        assert_eq!(StoreError::UniqueViolation.or_taken(taken), Answer::Taken);
        for other in [
            StoreError::ForeignKeyViolation,
            StoreError::NotFound,
            StoreError::Unavailable("down".into()),
        ] {
            let expected = Answer::Store(other.to_string());
            assert_eq!(other.or_taken(taken), expected);
        }
    }

    #[test]
    fn rollback_is_internal_not_not_found() {
        assert!(matches!(
            StoreError::from(DieselError::RollbackTransaction),
            StoreError::Other(_)
        ));
    }
}
