//! The migration round trip: up, down, up again, and the schema is the same; the seeded
//! roles come back. Both backends, with identical version names.

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

/// Everything that makes up the schema, one line per object, with the PostgreSQL schema
/// name blanked so two test databases compare equal.
fn schema(conn: &mut DbConnection, backend: Backend) -> Vec<String> {
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
            out.into_iter()
                .map(|l| l.replace(&current, "<schema>"))
                .collect()
        }
    }
}

fn roles(conn: &mut DbConnection) -> Vec<String> {
    lines(
        conn,
        "SELECT id || ' ' || name AS line FROM roles ORDER BY name",
    )
}

fn seeded_roles() -> Vec<String> {
    vec![
        format!("{} admin", crate::common::ADMIN_ROLE_ID),
        format!("{} member", crate::common::MEMBER_ROLE_ID),
        format!("{} readonly", crate::common::READONLY_ROLE_ID),
    ]
}

fn migration_versions(backend: &str) -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../migrations/iam")
        .join(backend);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("entry"))
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

#[test]
fn both_backends_have_the_same_migration_versions() {
    let sqlite = migration_versions("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, migration_versions("postgres"));
}

#[test]
fn up_down_up_gives_the_same_schema_and_the_seeded_roles() {
    let db = TestDatabase::new(&iam_svc::MIGRATIONS);
    let mut conn = db.pool.get().expect("conn");
    let up = schema(&mut conn, db.backend);
    assert!(up.iter().any(|l| l.contains("users")), "{up:#?}");
    assert!(
        up.iter().any(|l| l.contains("revocation_events")),
        "{up:#?}"
    );
    assert_eq!(roles(&mut conn), seeded_roles());

    // Rows of every kind are dropped with their tables.
    diesel::sql_query("INSERT INTO domains (id, name, description, enabled, created_at) VALUES ('d1', 'gone', '', TRUE, CURRENT_TIMESTAMP)")
        .execute(&mut conn)
        .expect("row");

    let reverted = revert_all(&mut conn, &iam_svc::MIGRATIONS).expect("down");
    let versions = migration_versions("sqlite");
    assert_eq!(reverted.len(), versions.len(), "{reverted:?}");
    assert_eq!(
        schema(&mut conn, db.backend),
        Vec::<String>::new(),
        "down leaves nothing behind"
    );

    let applied = run_pending(&mut conn, &iam_svc::MIGRATIONS).expect("up again");
    assert_eq!(applied.len(), versions.len(), "{applied:?}");
    let again = schema(&mut conn, db.backend);
    assert_eq!(again, up);
    assert_eq!(roles(&mut conn), seeded_roles());
    assert_eq!(
        lines(&mut conn, "SELECT name AS line FROM domains"),
        Vec::<String>::new()
    );

    // Nothing left to apply.
    assert_eq!(
        run_pending(&mut conn, &iam_svc::MIGRATIONS).expect("noop"),
        Vec::<String>::new()
    );

    // And a database migrated once, fresh, has that same schema.
    let fresh = TestDatabase::new(&iam_svc::MIGRATIONS);
    let mut fresh_conn = fresh.pool.get().expect("conn");
    assert_eq!(schema(&mut fresh_conn, fresh.backend), up);
}
