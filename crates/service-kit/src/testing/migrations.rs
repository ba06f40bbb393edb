//! The checks every service's migrations must pass: the same versions on both backends,
//! each with its `up.sql` and `down.sql`, and a round trip (down, then up again) that
//! leaves nothing behind and gives back the same schema. [`assert_round_trip`] runs them
//! all; a service's test names its migrations, their folder and a few tables:
//!
//! ```ignore
//! #[test]
//! fn migrations_round_trip() {
//!     let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations/swr");
//!     migrations::assert_round_trip(&swr_svc::MIGRATIONS, &dir, &["credentials"]);
//! }
//! ```

use std::path::Path;

use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::db::{revert_all, revert_last, run_pending, Backend, DbConnection, Migrations};
use crate::testing::TestDatabase;

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

/// The one text column, named `line`, of every row `sql` returns.
pub fn lines(conn: &mut DbConnection, sql: &str) -> Vec<String> {
    diesel::sql_query(sql)
        .load::<Line>(conn)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .into_iter()
        .map(|l| l.line)
        .collect()
}

/// Everything that makes up the schema (tables, columns, indexes, constraints, sequences
/// and triggers), one line per object, with the PostgreSQL schema name blanked so two
/// test databases compare equal.
pub fn schema(conn: &mut DbConnection, backend: Backend) -> Vec<String> {
    match backend {
        Backend::Sqlite => lines(
            conn,
            "SELECT type || ' ' || name || ' ' || tbl_name || ' ' || COALESCE(sql, '') AS line
             FROM sqlite_master
             WHERE tbl_name NOT IN ('__diesel_schema_migrations', 'sqlite_sequence')
             ORDER BY type, name",
        ),
        Backend::Postgres => {
            let current = lines(conn, "SELECT current_schema()::text AS line").remove(0);
            let mut out = lines(
                conn,
                "SELECT 'column ' || table_name || '.' || column_name || ' ' || ordinal_position || ' '
                        || data_type || ' ' || is_nullable || ' ' || COALESCE(column_default, '-') || ' '
                        || COALESCE(character_maximum_length::text, '-') AS line
                 FROM information_schema.columns
                 WHERE table_schema = current_schema() AND table_name <> '__diesel_schema_migrations'
                 ORDER BY table_name, ordinal_position",
            );
            out.extend(lines(
                conn,
                "SELECT 'index ' || indexname || ' ' || indexdef AS line FROM pg_indexes
                 WHERE schemaname = current_schema() AND tablename <> '__diesel_schema_migrations'
                 ORDER BY indexname",
            ));
            // NOT NULL checks are named after object ids, which change on every CREATE.
            out.extend(lines(
                conn,
                "SELECT 'constraint ' || table_name || ' ' || constraint_name || ' ' || constraint_type AS line
                 FROM information_schema.table_constraints
                 WHERE table_schema = current_schema() AND table_name <> '__diesel_schema_migrations'
                   AND constraint_type <> 'CHECK'
                 ORDER BY table_name, constraint_name",
            ));
            out.extend(lines(
                conn,
                "SELECT 'sequence ' || sequence_name || ' ' || data_type AS line FROM information_schema.sequences
                 WHERE sequence_schema = current_schema() ORDER BY sequence_name",
            ));
            out.extend(lines(
                conn,
                "SELECT 'trigger ' || trigger_name || ' ' || event_manipulation || ' ' || action_statement AS line
                 FROM information_schema.triggers WHERE trigger_schema = current_schema()
                 ORDER BY trigger_name, event_manipulation",
            ));
            out.into_iter()
                .map(|l| l.replace(&current, "<schema>"))
                .collect()
        }
    }
}

/// The migration versions of one backend: the folders under `dir/<backend>` (say
/// `migrations/swr/sqlite`), sorted. Panics on a version without its `up.sql` or
/// `down.sql`, which could not be rolled back or forward.
pub fn versions(dir: &Path, backend: &str) -> Vec<String> {
    let dir = dir.join(backend);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap_or_else(|e| panic!("{}: {e}", dir.display())))
        .filter(|e| e.path().is_dir())
        .map(|e| {
            for file in ["up.sql", "down.sql"] {
                assert!(
                    e.path().join(file).is_file(),
                    "{} lacks {file}",
                    e.path().display()
                );
            }
            e.file_name().to_string_lossy().into_owned()
        })
        .collect();
    names.sort();
    names
}

/// Asserts that both backends have the same migration versions under `dir`, and some.
pub fn assert_same_versions(dir: &Path) {
    let sqlite = versions(dir, "sqlite");
    assert!(!sqlite.is_empty(), "no migrations under {}", dir.display());
    assert_eq!(sqlite, versions(dir, "postgres"));
}

/// Reverts every one of the `count` migrations (down leaves no schema behind) and runs
/// them all again; returns the schema that gives, for the caller to compare with the one
/// before.
pub fn down_and_up_again(
    conn: &mut DbConnection,
    backend: Backend,
    migrations: &Migrations,
    count: usize,
) -> Vec<String> {
    let reverted = revert_all(conn, migrations).unwrap_or_else(|e| panic!("down: {e}"));
    assert_eq!(reverted.len(), count, "{reverted:?}");
    assert_eq!(
        schema(conn, backend),
        Vec::<String>::new(),
        "down leaves nothing behind"
    );
    let applied = run_pending(conn, migrations).unwrap_or_else(|e| panic!("up again: {e}"));
    assert_eq!(applied.len(), count, "{applied:?}");
    schema(conn, backend)
}

/// Reverts the newest migration; returns its version as diesel names it (digits only).
fn revert_newest(conn: &mut DbConnection, migrations: &Migrations) -> String {
    match revert_last(conn, migrations) {
        Ok(version) => version.to_string().replace('-', ""),
        Err(e) => panic!("revert: {e}"),
    }
}

/// Reverts the `count` newest migrations, to write rows as an older release did; returns
/// their versions (digits only), newest first.
pub fn revert_newest_n(
    conn: &mut DbConnection,
    migrations: &Migrations,
    count: usize,
) -> Vec<String> {
    (0..count)
        .map(|_| revert_newest(conn, migrations))
        .collect()
}

/// Reverts migrations, newest first, up to and including `version` (digits only);
/// returns the versions reverted, newest first.
pub fn revert_through(
    conn: &mut DbConnection,
    migrations: &Migrations,
    version: &str,
) -> Vec<String> {
    let mut reverted: Vec<String> = Vec::new();
    while reverted.last().map(String::as_str) != Some(version) {
        reverted.push(revert_newest(conn, migrations));
    }
    reverted
}

/// When [`assert_round_trip_with`] hands the connection to the service's own check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// After the first migration, before the round trip.
    Up,
    /// After down and up again.
    UpAgain,
}

/// The round trip on the test backend: both backends have the same versions; the
/// migrated schema shows each of `expected` (table or column names); down reverts every
/// version and leaves nothing; up again applies them all and gives the same schema, with
/// nothing left pending; and a fresh database migrated once has that schema too.
pub fn assert_round_trip(migrations: &Migrations, dir: &Path, expected: &[&str]) -> TestDatabase {
    assert_round_trip_with(migrations, dir, expected, |_, _| {})
}

/// As [`assert_round_trip`], calling `check` with the connection at each [`Stage`]: to
/// compare seeded rows, or write rows that must go with their tables.
pub fn assert_round_trip_with(
    migrations: &Migrations,
    dir: &Path,
    expected: &[&str],
    mut check: impl FnMut(&mut DbConnection, Stage),
) -> TestDatabase {
    assert_same_versions(dir);
    let db = TestDatabase::new(migrations);
    let mut conn = match db.pool.get() {
        Ok(conn) => conn,
        Err(e) => panic!("no connection to the test database: {e}"),
    };
    let up = schema(&mut conn, db.backend);
    for name in expected {
        assert!(up.iter().any(|l| l.contains(name)), "{name}: {up:#?}");
    }
    check(&mut conn, Stage::Up);

    let count = versions(dir, "sqlite").len();
    let again = down_and_up_again(&mut conn, db.backend, migrations, count);
    assert_eq!(again, up);
    check(&mut conn, Stage::UpAgain);
    let pending = run_pending(&mut conn, migrations).unwrap_or_else(|e| panic!("noop: {e}"));
    assert_eq!(pending, Vec::<String>::new(), "nothing is left to apply");
    drop(conn);

    let fresh = TestDatabase::new(migrations);
    let mut fresh_conn = match fresh.pool.get() {
        Ok(conn) => conn,
        Err(e) => panic!("no connection to the test database: {e}"),
    };
    assert_eq!(schema(&mut fresh_conn, fresh.backend), up);
    db
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A migrations folder, removed when dropped (a failed check panics before any
    /// cleanup at its end would run).
    struct Folder(std::path::PathBuf);

    impl Drop for Folder {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// A migrations folder with these versions per backend, each with the given files.
    fn folder(versions: &[(&str, &str, &[&str])]) -> Folder {
        let root =
            std::env::temp_dir().join(format!("migrations-{}", uuid::Uuid::new_v4().simple()));
        for (backend, version, files) in versions {
            let dir = root.join(backend).join(version);
            std::fs::create_dir_all(&dir).unwrap();
            for file in *files {
                std::fs::write(dir.join(file), "SELECT 1;").unwrap();
            }
        }
        Folder(root)
    }

    const BOTH: &[&str] = &["up.sql", "down.sql"];

    #[test]
    fn versions_are_the_sorted_folders_of_a_backend() {
        let root = folder(&[
            ("sqlite", "2026-01-02-000002_b", BOTH),
            ("sqlite", "2026-01-01-000001_a", BOTH),
            ("postgres", "2026-01-01-000001_a", BOTH),
            ("postgres", "2026-01-02-000002_b", BOTH),
        ]);
        std::fs::write(root.0.join("sqlite").join("README"), "notes").unwrap();
        assert_eq!(
            versions(&root.0, "sqlite"),
            ["2026-01-01-000001_a", "2026-01-02-000002_b"]
        );
        assert_same_versions(&root.0);
    }

    #[test]
    #[should_panic(expected = "lacks down.sql")]
    fn a_version_that_cannot_be_rolled_back_is_refused() {
        let root = folder(&[("sqlite", "2026-01-01-000001_a", &["up.sql"])]);
        versions(&root.0, "sqlite");
    }

    #[test]
    #[should_panic(expected = "assertion `left == right` failed")]
    fn a_version_on_one_backend_only_is_a_difference() {
        let root = folder(&[
            ("sqlite", "2026-01-01-000001_a", BOTH),
            ("postgres", "2026-01-01-000001_b", BOTH),
        ]);
        assert_same_versions(&root.0);
    }
}
