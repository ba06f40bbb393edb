//! The migration round trip: up, down, up again, and the schema is the same; the seeded
//! roles come back. Both backends, with identical version names.

use std::path::{Path, PathBuf};

use diesel::prelude::*;
use service_kit::db::{run_pending, DbConnection};
use service_kit::testing::{migrations, TestDatabase};

fn roles(conn: &mut DbConnection) -> Vec<String> {
    migrations::lines(
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

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations/iam")
}

#[test]
fn both_backends_have_the_same_migration_versions() {
    migrations::assert_same_versions(&dir());
}

#[test]
fn up_down_up_gives_the_same_schema_and_the_seeded_roles() {
    let db = TestDatabase::new(&iam_svc::MIGRATIONS);
    let mut conn = db.pool.get().expect("conn");
    let up = migrations::schema(&mut conn, db.backend);
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

    let count = migrations::versions(&dir(), "sqlite").len();
    let again = migrations::down_and_up_again(&mut conn, db.backend, &iam_svc::MIGRATIONS, count);
    assert_eq!(again, up);
    assert_eq!(roles(&mut conn), seeded_roles());
    assert_eq!(
        migrations::lines(&mut conn, "SELECT name AS line FROM domains"),
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
    assert_eq!(migrations::schema(&mut fresh_conn, fresh.backend), up);
}
