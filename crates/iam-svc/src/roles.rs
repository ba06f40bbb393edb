//! The fixed roles: readable by any authenticated caller of any domain, since they are
//! the same for all.

use service_kit::auth::Principal;
use service_kit::db;

use crate::error::IamError;
use crate::policy::{self, Action, Target};
use crate::repo::{self, roles::Role};
use crate::state::AppState;

/// The roles, those named `name` if given.
pub async fn list(
    state: &AppState,
    p: &Principal,
    name: Option<String>,
) -> Result<Vec<Role>, IamError> {
    policy::check_blind(p, Action::ListRoles, Target::domain(p))?;
    db::run(&state.pool, move |conn| {
        Ok(repo::roles::list(conn, name.as_deref())?)
    })
    .await
}

/// One role.
pub async fn show(state: &AppState, p: &Principal, id: String) -> Result<Role, IamError> {
    policy::check_blind(p, Action::GetRole, Target::domain(p))?;
    db::run(&state.pool, move |conn| {
        repo::roles::find(conn, &id)?.ok_or(IamError::NotFound("role"))
    })
    .await
}
