//! The scopes the caller's own token can reach: the enabled projects they hold a role on
//! (all of the domain's with a domain-wide role), and their domain if they hold a role on
//! it. What `/v3/auth/projects` and `/v3/auth/domains` list.

use service_kit::auth::Principal;
use service_kit::db;

use crate::error::IamError;
use crate::policy::{self, Action, Target};
use crate::repo::{self, domains::Domain, projects::Project};
use crate::state::AppState;

/// The projects the caller can scope a token to.
pub async fn projects(state: &AppState, p: &Principal) -> Result<Vec<Project>, IamError> {
    policy::check_blind(p, Action::ListAuthProjects, Target::domain(p))?;
    let p = p.clone();
    db::run(&state.pool, move |conn| {
        let domain_wide =
            !repo::grants::user_domain_roles(conn, &p.user_id, &p.domain_id)?.is_empty();
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
    })
    .await
}

/// The caller's domain, if they can scope a token to it.
pub async fn domain(state: &AppState, p: &Principal) -> Result<Option<Domain>, IamError> {
    policy::check_blind(p, Action::ListAuthDomains, Target::domain(p))?;
    let p = p.clone();
    db::run(&state.pool, move |conn| {
        let has_roles =
            !repo::grants::user_domain_roles(conn, &p.user_id, &p.domain_id)?.is_empty();
        Ok(if has_roles {
            repo::domains::find(conn, &p.domain_id)?
        } else {
            None
        })
    })
    .await
}
