//! The migrations: identical versions on both backends, a round trip (up, down, up) that
//! gives the same schema, and what the later ones make of rows already there.

use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_migrations::MigrationHarness;
use service_kit::db::{revert_all, run_pending, Backend, DbConnection};
use service_kit::testing::TestDatabase;
use swr_svc::schema::credentials;

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
        .join("../../migrations/swr")
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
    let db = TestDatabase::new(&swr_svc::MIGRATIONS);
    let mut conn = db.pool.get().unwrap();
    let up = schema(&mut conn, db.backend);
    assert!(up.iter().any(|l| l.contains("revoked_at")), "{up:#?}");
    let reverted = revert_all(&mut conn, &swr_svc::MIGRATIONS).unwrap();
    assert_eq!(reverted.len(), versions("sqlite").len());
    assert_eq!(schema(&mut conn, db.backend), Vec::<String>::new());
    run_pending(&mut conn, &swr_svc::MIGRATIONS).unwrap();
    assert_eq!(schema(&mut conn, db.backend), up);
}

/// Credentials disabled before anyone recorded who disabled them count as disabled by
/// an admin: an upgrade must not let an owner undo an admin's disable.
#[test]
fn credentials_disabled_before_the_upgrade_count_as_an_admins_disable() {
    let db = TestDatabase::new(&swr_svc::MIGRATIONS);
    let mut conn = db.pool.get().unwrap();
    for _ in 0..2 {
        match &mut *conn {
            DbConnection::Sqlite(c) => c.revert_last_migration(swr_svc::MIGRATIONS.sqlite),
            DbConnection::Postgresql(c) => c.revert_last_migration(swr_svc::MIGRATIONS.postgres),
        }
        .unwrap();
    }
    let now = chrono::Utc::now().naive_utc();
    diesel::sql_query(
        "INSERT INTO instances (id, project_id, name, spec, status, charge_mode, job_id,
             registry_service, registry_address, created_by, created_at)
         VALUES ('i1', 'project-a', 'registry', 'swr.ee.professional', 'Running', 'postPaid',
             'j1', 'swr-registry', '127.0.0.1:5000', 'adam-id', CURRENT_TIMESTAMP)",
    )
    .execute(&mut *conn)
    .unwrap();
    for (id, enabled) in [("on", true), ("off", false)] {
        diesel::insert_into(credentials::table)
            .values((
                credentials::id.eq(id),
                credentials::instance_id.eq("i1"),
                credentials::user_id.eq("carol-id"),
                credentials::user_name.eq("carol"),
                credentials::name.eq(id),
                credentials::kind.eq("long_term"),
                credentials::token_digest.eq(format!("{id:0>64}")),
                credentials::access.eq("pull"),
                credentials::enabled.eq(enabled),
                credentials::created_at.eq(now),
                credentials::expires_at.eq(now),
            ))
            .execute(&mut *conn)
            .unwrap();
    }
    assert_eq!(
        run_pending(&mut conn, &swr_svc::MIGRATIONS).unwrap().len(),
        2
    );
    let rows: Vec<(String, bool, Option<String>, Option<chrono::NaiveDateTime>)> =
        credentials::table
            .select((
                credentials::id,
                credentials::disabled_by_admin,
                credentials::disabled_by,
                credentials::revoked_at,
            ))
            .order(credentials::id)
            .load(&mut *conn)
            .unwrap();
    assert_eq!(
        rows,
        [
            ("off".to_string(), true, None, None),
            ("on".to_string(), false, None, None)
        ]
    );
}
