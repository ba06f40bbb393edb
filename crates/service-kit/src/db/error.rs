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
    fn rollback_is_internal_not_not_found() {
        assert!(matches!(
            StoreError::from(DieselError::RollbackTransaction),
            StoreError::Other(_)
        ));
    }
}
