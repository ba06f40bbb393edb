//! The scopes the caller can use: the enabled projects of their domain they hold a role
//! on (all of the domain's with a domain-wide role), and their own domain. What
//! `/v3/auth/projects` and `/v3/auth/domains` list; functions of a connection, so tests
//! call them without HTTP. Another domain's never appear: every query names the caller's.

use service_kit::auth::Principal;
use service_kit::db::DbConnection;

use crate::error::IamError;
use crate::policy::{self, Action, Target};
use crate::repo::{self, domains::Domain, projects::Project};

/// Whether the caller may list their scopes with `action`; asked before the pool is.
pub fn allowed(p: &Principal, action: Action) -> Result<(), IamError> {
    policy::check_blind(p, action, Target::domain(p))
}

/// The projects the caller can scope a token to (after [`allowed`]).
pub fn projects(conn: &mut DbConnection, p: &Principal) -> Result<Vec<Project>, IamError> {
    let domain_wide = !repo::grants::user_domain_roles(conn, &p.user_id, &p.domain_id)?.is_empty();
    let filter = repo::projects::ProjectFilter {
        ids: if domain_wide {
            None
        } else {
            Some(repo::grants::user_project_ids(conn, &p.user_id)?)
        },
        enabled: Some(true),
        ..Default::default()
    };
    Ok(repo::projects::list(conn, &p.domain_id, &filter)?)
}

/// The caller's own domain (after [`allowed`]), as Huawei IAM answers every user of an
/// account: it is what a signature with `X-Domain-Id` acts in, roles or not, and what
/// the SDK's `GlobalCredentials` reads its domain id from. A disabled domain is none.
pub fn domain(conn: &mut DbConnection, p: &Principal) -> Result<Option<Domain>, IamError> {
    Ok(repo::domains::find(conn, &p.domain_id)?.filter(|d| d.enabled))
}
