//! The migration round trip: up, down, up again, and the schema is the same; the seeded
//! roles come back. Both backends, with identical version names.

use std::path::Path;

use diesel::prelude::*;
use service_kit::db::DbConnection;
use service_kit::testing::migrations::{self, Stage};

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

#[test]
fn up_down_up_gives_the_same_schema_and_the_seeded_roles() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations/iam");
    let tables = ["users", "revocation_events"];
    migrations::assert_round_trip_with(&iam_svc::MIGRATIONS, &dir, &tables, |conn, stage| {
        assert_eq!(roles(conn), seeded_roles(), "{stage:?}");
        match stage {
            // Rows of every kind are dropped with their tables.
            Stage::Up => {
                diesel::sql_query("INSERT INTO domains (id, name, description, enabled, created_at) VALUES ('d1', 'gone', '', TRUE, CURRENT_TIMESTAMP)")
                    .execute(conn)
                    .expect("row");
            }
            Stage::UpAgain => assert_eq!(
                migrations::lines(conn, "SELECT name AS line FROM domains"),
                Vec::<String>::new()
            ),
        }
    });
}
