//! The migrations: identical versions on both backends, and a round trip (up, down, up)
//! that gives the same schema. What later ones make of rows already there is tested with
//! the feature they serve (counts, ownership).

use diesel::prelude::*;
use diesel::sql_types::Text;
use service_kit::db::{revert_all, run_pending, Backend, DbConnection};
use service_kit::testing::TestDatabase;

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

fn lines(conn: &mut DbConnection, sql: &str) -> Vec<String> {
    diesel::sql_query(sql)
        .load::<Line>(conn)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .into_iter()
        .map(|l| l.line)
        .collect()
}

/// Tables, columns, indexes and triggers, one line each, without the test's schema name.
fn schema(conn: &mut DbConnection, backend: Backend) -> Vec<String> {
    match backend {
        Backend::Sqlite => lines(
            conn,
            "SELECT type || ' ' || name || ' ' || COALESCE(sql, '') AS line FROM sqlite_master
             WHERE tbl_name NOT IN ('__diesel_schema_migrations', 'sqlite_sequence')
             ORDER BY type, name",
        ),
        Backend::Postgres => {
            let current = lines(conn, "SELECT current_schema()::text AS line").remove(0);
            let mut out = lines(
                conn,
                "SELECT table_name || '.' || column_name || ' ' || ordinal_position || ' '
                        || data_type || ' ' || is_nullable || ' ' || COALESCE(column_default, '-')
                        AS line
                 FROM information_schema.columns
                 WHERE table_schema = current_schema() AND table_name <> '__diesel_schema_migrations'
                 ORDER BY table_name, ordinal_position",
            );
            out.extend(lines(
                conn,
                "SELECT indexname || ' ' || indexdef AS line FROM pg_indexes
                 WHERE schemaname = current_schema() AND tablename <> '__diesel_schema_migrations'
                 ORDER BY indexname",
            ));
            out.extend(lines(
                conn,
                "SELECT trigger_name || ' ' || event_manipulation || ' ' || action_statement AS line
                 FROM information_schema.triggers WHERE trigger_schema = current_schema()
                 ORDER BY trigger_name, event_manipulation",
            ));
            out.into_iter()
                .map(|l| l.replace(&current, "<schema>"))
                .collect()
        }
    }
}

fn versions(backend: &str) -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../migrations/tcr")
        .join(backend);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn both_backends_have_the_same_migration_versions() {
    assert!(!versions("sqlite").is_empty());
    assert_eq!(versions("sqlite"), versions("postgres"));
}

#[test]
fn up_down_up_gives_the_same_schema() {
    let db = TestDatabase::new(&tcr_svc::MIGRATIONS);
    let mut conn = db.pool.get().unwrap();
    let up = schema(&mut conn, db.backend);
    for column in ["revoked_at", "disabled_by_admin", "longterm_tokens"] {
        assert!(up.iter().any(|l| l.contains(column)), "{column}: {up:#?}");
    }
    let reverted = revert_all(&mut conn, &tcr_svc::MIGRATIONS).unwrap();
    assert_eq!(reverted.len(), versions("sqlite").len());
    assert_eq!(schema(&mut conn, db.backend), Vec::<String>::new());
    run_pending(&mut conn, &tcr_svc::MIGRATIONS).unwrap();
    assert_eq!(schema(&mut conn, db.backend), up);
}
