//! Embedded per-backend migrations, applied at start or by `<svc> migrate`.

use diesel::backend::Backend;
use diesel::migration::{Migration, MigrationSource};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness};

use super::{DbConnection, StoreError};

/// A service's migrations for both backends; the version names are the same in each.
pub struct Migrations {
    pub sqlite: EmbeddedMigrations,
    pub postgres: EmbeddedMigrations,
}

/// Apply every pending migration; returns the versions applied.
pub fn run_pending(conn: &mut DbConnection, m: &Migrations) -> Result<Vec<String>, StoreError> {
    let applied = match conn {
        DbConnection::Sqlite(c) => c.run_pending_migrations(Source(&m.sqlite)),
        DbConnection::Postgresql(c) => c.run_pending_migrations(Source(&m.postgres)),
    }
    .map_err(|e| StoreError::Other(format!("migration failed: {e}")))?;
    Ok(applied.into_iter().map(|v| v.to_string()).collect())
}

/// Revert every applied migration (used by the round-trip test).
pub fn revert_all(conn: &mut DbConnection, m: &Migrations) -> Result<Vec<String>, StoreError> {
    let reverted = match conn {
        DbConnection::Sqlite(c) => c.revert_all_migrations(Source(&m.sqlite)),
        DbConnection::Postgresql(c) => c.revert_all_migrations(Source(&m.postgres)),
    }
    .map_err(|e| StoreError::Other(format!("migration revert failed: {e}")))?;
    Ok(reverted.into_iter().map(|v| v.to_string()).collect())
}

/// Revert the newest applied migration (tests that write rows as an older release
/// did); returns its version.
pub fn revert_last(conn: &mut DbConnection, m: &Migrations) -> Result<String, StoreError> {
    let reverted = match conn {
        DbConnection::Sqlite(c) => c.revert_last_migration(Source(&m.sqlite)),
        DbConnection::Postgresql(c) => c.revert_last_migration(Source(&m.postgres)),
    }
    .map_err(|e| StoreError::Other(format!("migration revert failed: {e}")))?;
    Ok(reverted.to_string())
}

/// Lends a `&'static`-style embedded set to diesel, which wants a source by value.
struct Source<'a>(&'a EmbeddedMigrations);

impl<DB: Backend> MigrationSource<DB> for Source<'_> {
    fn migrations(&self) -> diesel::migration::Result<Vec<Box<dyn Migration<DB>>>> {
        MigrationSource::<DB>::migrations(self.0)
    }
}
