//! Namespaces: the tenancy of repositories. A namespace belongs to one registry; its name is
//! unique per registry service (a constraint), and a deleted one stays as a tombstone.

use diesel::prelude::*;
use service_kit::db::{DbConnection, StoreError};
use service_kit::registry::NamespaceRecord;

use crate::schema::{namespaces, registries};

/// The live namespaces called `names` of live registries of the registry `service`, for a
/// registry login to decide what it grants.
pub fn login_records(
    conn: &mut DbConnection,
    service: &str,
    names: &[String],
) -> Result<Vec<NamespaceRecord>, StoreError> {
    let query = namespaces::table
        .inner_join(registries::table)
        .filter(namespaces::registry_service.eq(service))
        .filter(namespaces::name.eq_any(names))
        .filter(namespaces::deleted_at.is_null())
        .select((
            namespaces::name,
            namespaces::registry_id,
            namespaces::public,
        ));
    let rows: Vec<(String, String, bool)> = service_kit::on_backend!(conn, |c| query.load(c))?;
    Ok(rows
        .into_iter()
        .map(|(name, owner, public)| NamespaceRecord {
            name,
            owner,
            public,
        })
        .collect())
}
