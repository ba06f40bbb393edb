//! Who may see and change what. Identity resources are invisible across domains (404);
//! inside a domain, changing them takes the `admin` role granted on the domain.

use service_kit::auth::{Authenticated, Principal};
use service_kit::db::DbConnection;

use crate::error::IamError;
use crate::repo;

/// The authenticated caller of an iam-svc endpoint.
pub type Caller = Authenticated<IamError>;

pub const ADMIN_ROLE: &str = "admin";

/// Whether the caller holds `admin` on their domain right now (read from the database,
/// so a revoked grant takes effect at once).
pub fn is_domain_admin(conn: &mut DbConnection, p: &Principal) -> Result<bool, IamError> {
    Ok(repo::grants::holds_domain_role(
        conn,
        &p.user_id,
        &p.domain_id,
        ADMIN_ROLE,
    )?)
}

pub fn require_domain_admin(conn: &mut DbConnection, p: &Principal) -> Result<(), IamError> {
    if is_domain_admin(conn, p)? {
        Ok(())
    } else {
        Err(IamError::Forbidden("domain admin required"))
    }
}

/// A user of the caller's domain, or 404.
pub fn user_in_domain(
    conn: &mut DbConnection,
    p: &Principal,
    id: &str,
) -> Result<repo::users::User, IamError> {
    repo::users::find(conn, id)?
        .filter(|u| u.domain_id == p.domain_id)
        .ok_or(IamError::NotFound("user"))
}

/// A user the caller may read: themselves, or anyone in the domain for an admin.
pub fn readable_user(
    conn: &mut DbConnection,
    p: &Principal,
    id: &str,
) -> Result<repo::users::User, IamError> {
    let user = user_in_domain(conn, p, id)?;
    if user.id != p.user_id {
        require_domain_admin(conn, p)?;
    }
    Ok(user)
}

/// A project of the caller's domain, or 404.
pub fn project_in_domain(
    conn: &mut DbConnection,
    p: &Principal,
    id: &str,
) -> Result<repo::projects::Project, IamError> {
    repo::projects::find(conn, id)?
        .filter(|x| x.domain_id == p.domain_id)
        .ok_or(IamError::NotFound("project"))
}

/// A group of the caller's domain, or 404.
pub fn group_in_domain(
    conn: &mut DbConnection,
    p: &Principal,
    id: &str,
) -> Result<repo::groups::Group, IamError> {
    repo::groups::find(conn, id)?
        .filter(|g| g.domain_id == p.domain_id)
        .ok_or(IamError::NotFound("group"))
}

/// A `domain_id` named in a request body must be the caller's own.
pub fn own_domain(p: &Principal, requested: Option<&str>) -> Result<String, IamError> {
    match requested {
        None => Ok(p.domain_id.clone()),
        Some(d) if d == p.domain_id => Ok(d.to_string()),
        Some(_) => Err(IamError::Forbidden("another domain")),
    }
}
