//! The migrations: identical versions on both backends, and a round trip (up, down, up)
//! that gives the same schema. What later ones make of rows already there is tested with
//! the feature they serve (counts, ownership).

use std::path::Path;

use service_kit::testing::migrations;

#[test]
fn migrations_round_trip() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations/tcr");
    migrations::assert_round_trip(
        &tcr_svc::MIGRATIONS,
        &dir,
        &["revoked_at", "disabled_by_admin", "longterm_tokens"],
    );
}
