//! What swr-svc makes of its database before it serves: the registry of every instance and
//! namespace is the configured one. Runs at every start (`serve`), after the migrations;
//! running it again changes nothing.

use chrono::NaiveDateTime;
use service_kit::db::{self, DbPool, StoreError};

use crate::config::RegistryConfig;
use crate::repo;

/// Point every instance and namespace at `registry`'s service and address, in one
/// transaction. Rows made when an API caller could choose the registry stop naming theirs,
/// and an operator's change of `registry.service` moves every namespace with it. A moved
/// instance was updated `now`. Returns how many instances and namespaces changed.
pub fn assign_registry(
    pool: &DbPool,
    registry: &RegistryConfig,
    now: NaiveDateTime,
) -> Result<(usize, usize), StoreError> {
    let mut conn = pool.get()?;
    let (instances, namespaces) = db::write_transaction(&mut conn, move |conn| {
        let instances =
            repo::instances::assign_registry(conn, &registry.service, &registry.address, now)?;
        let namespaces = repo::namespaces::assign_service(conn, &registry.service)?;
        Ok::<_, StoreError>((instances, namespaces))
    })?;
    if instances + namespaces > 0 {
        log::info!(
            "registry {} ({}) assigned to {instances} instances and {namespaces} namespaces",
            registry.service,
            registry.address
        );
    }
    Ok((instances, namespaces))
}
