//! The fixed roles: readable by any authenticated caller of any domain, since they are
//! the same for all. The policy is asked ([`allowed`]) before any database work; the reads
//! are functions of a connection, so tests call them without HTTP.

use service_kit::auth::Principal;
use service_kit::db::DbConnection;

use crate::error::IamError;
use crate::policy::{self, Action, Target};
use crate::repo::{self, roles::Role};

/// Whether the caller may read the roles with `action`; asked before the pool is.
pub fn allowed(p: &Principal, action: Action) -> Result<(), IamError> {
    policy::check_blind(p, action, Target::domain(p))
}

/// The roles, those named `name` if given.
pub fn list(conn: &mut DbConnection, name: Option<&str>) -> Result<Vec<Role>, IamError> {
    Ok(repo::roles::list(conn, name)?)
}

/// One role.
pub fn show(conn: &mut DbConnection, id: &str) -> Result<Role, IamError> {
    repo::roles::find(conn, id)?.ok_or(IamError::NotFound("role"))
}
