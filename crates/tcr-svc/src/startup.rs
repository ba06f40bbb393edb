//! What `serve` does to the database before it answers: every registry record comes to
//! front the registry of the configuration, whatever was configured when it was made.

use service_kit::db::{DbPool, StoreError};

use crate::config::RegistryConfig;
use crate::repo;

/// Put every registry, with its namespaces, on `registry.service` at `registry.address`;
/// how many registries moved. Running it again moves none.
pub fn assign_registry_service(pool: &DbPool, registry: &RegistryConfig) -> Result<usize, String> {
    let (service, address) = (&registry.service, &registry.address);
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    let moved =
        repo::registries::assign_service(&mut conn, service, address).map_err(|e| match e {
            StoreError::UniqueViolation => format!(
                "cannot put every registry on registry.service {service:?}: registries of other \
             services hold namespaces of the same name there"
            ),
            other => format!("cannot put the registries on registry.service {service:?}: {other}"),
        })?;
    if moved > 0 {
        log::info!("{moved} registries now front {service:?} at {address:?}");
    }
    Ok(moved)
}
