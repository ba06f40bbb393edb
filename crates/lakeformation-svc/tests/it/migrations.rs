//! The migrations: identical versions on both backends, and a round trip (up, down, up)
//! that gives the same schema.

use std::path::Path;

use service_kit::testing::migrations;

#[test]
fn migrations_round_trip() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations/lakeformation");
    migrations::assert_round_trip(
        &lakeformation_svc::MIGRATIONS,
        &dir,
        &["instances", "issuances", "revoked_at"],
    );
}
