//! The migrations: identical versions on both backends, a round trip (up, down, up) that
//! gives the same schema, and what the later ones make of rows already there.

use std::path::Path;

use diesel::prelude::*;
use service_kit::db::run_pending;
use service_kit::testing::{migrations, TestDatabase};
use swr_svc::schema::credentials;

#[test]
fn migrations_round_trip() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations/swr");
    migrations::assert_round_trip(&swr_svc::MIGRATIONS, &dir, &["revoked_at"]);
}

/// Credentials disabled before anyone recorded who disabled them count as disabled by
/// an admin: an upgrade must not let an owner undo an admin's disable.
#[test]
fn credentials_disabled_before_the_upgrade_count_as_an_admins_disable() {
    let db = TestDatabase::new(&swr_svc::MIGRATIONS);
    let mut conn = db.pool.get().unwrap();
    // Back to before 2026-12-02-100001 (the disabled_by columns) and every later one.
    migrations::revert_newest_n(&mut conn, &swr_svc::MIGRATIONS, 4);
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
        4
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
