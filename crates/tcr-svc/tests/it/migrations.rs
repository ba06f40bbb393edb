//! The migrations: identical versions on both backends, and a round trip (up, down, up)
//! that gives the same schema. What later ones make of rows already there is tested with
//! the feature they serve (counts, ownership).

use std::path::{Path, PathBuf};

use service_kit::testing::{migrations, TestDatabase};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations/tcr")
}

#[test]
fn both_backends_have_the_same_migration_versions() {
    migrations::assert_same_versions(&dir());
}

#[test]
fn up_down_up_gives_the_same_schema() {
    let db = TestDatabase::new(&tcr_svc::MIGRATIONS);
    let mut conn = db.pool.get().unwrap();
    let up = migrations::schema(&mut conn, db.backend);
    for column in ["revoked_at", "disabled_by_admin", "longterm_tokens"] {
        assert!(up.iter().any(|l| l.contains(column)), "{column}: {up:#?}");
    }
    let count = migrations::versions(&dir(), "sqlite").len();
    let again = migrations::down_and_up_again(&mut conn, db.backend, &tcr_svc::MIGRATIONS, count);
    assert_eq!(again, up);
}
