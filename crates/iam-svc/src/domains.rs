//! Operator actions on domains (accounts). The public API has none, as Huawei IAM has
//! none: `iam-svc disable-domain --domain NAME` and `enable-domain` call these.

use chrono::NaiveDateTime;
use service_kit::db::{write_transaction, DbConnection};

use crate::error::IamError;
use crate::repo::{self, domains::Domain};
use crate::revocation;

/// Enable or disable the domain named `name`. Disabling cuts every credential of its
/// users, in the same transaction, as of `now`; asking for the state the domain is in
/// changes nothing.
pub fn set_enabled(
    conn: &mut DbConnection,
    name: &str,
    enabled: bool,
    now: NaiveDateTime,
) -> Result<Domain, IamError> {
    write_transaction(conn, |conn| {
        let mut domain =
            repo::domains::find_by_name(conn, name)?.ok_or(IamError::NotFound("domain"))?;
        if domain.enabled == enabled {
            return Ok(domain);
        }
        repo::domains::set_enabled(conn, &domain.id, enabled)?;
        if !enabled {
            revocation::domain_gone(conn, &domain.id, now)?;
        }
        domain.enabled = enabled;
        Ok(domain)
    })
}
