//! Groups of a domain and their members. Each function is one whole operation for an
//! authenticated principal (policy check, the write and the revocation it calls for), so
//! `routes/groups.rs` only extracts the request, calls one of these and renders the result.

use serde::{Deserialize, Serialize};
use service_kit::auth::Principal;
use service_kit::db::{self, DbConnection, StoreError};

use crate::error::IamError;
use crate::policy::{self, Action};
use crate::repo::{self, groups::Group, groups::GroupChanges, users::User};
use crate::revocation;
use crate::state::AppState;
use crate::validate;

/// A group's fields as Keystone names them, for a new group and for a change alike.
#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GroupFields {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub domain_id: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

/// Create a group in the caller's domain (or the one named, if the policy allows).
pub async fn create(state: &AppState, p: &Principal, g: GroupFields) -> Result<Group, IamError> {
    check_fields(&g)?;
    let name = g
        .name
        .clone()
        .ok_or_else(|| IamError::BadRequest("group.name is required".into()))?;
    let p = p.clone();
    let clock = state.clock.clone();
    db::write(&state.pool, move |conn| {
        let domain_id = policy::in_domain(conn, &p, Action::CreateGroup, g.domain_id.as_deref())?;
        let row = Group {
            id: repo::new_id(),
            domain_id,
            name,
            description: g.description.unwrap_or_default(),
            created_at: clock.stored_now(),
        };
        repo::groups::insert(conn, &row).map_err(name_conflict)?;
        Ok(row)
    })
    .await
}

/// The groups of the caller's domain, those named `name` if given.
pub async fn list(
    state: &AppState,
    p: &Principal,
    asked_domain: Option<String>,
    name: Option<String>,
) -> Result<Vec<Group>, IamError> {
    let p = p.clone();
    db::run(&state.pool, move |conn| {
        policy::in_domain(conn, &p, Action::ListGroups, None)?;
        // Another domain's groups are not the caller's to list: an empty list.
        if asked_domain.is_some_and(|d| d != p.domain_id) {
            return Ok(Vec::new());
        }
        Ok(repo::groups::list(conn, &p.domain_id, name.as_deref())?)
    })
    .await
}

/// One group the caller may see.
pub async fn show(state: &AppState, p: &Principal, id: String) -> Result<Group, IamError> {
    let p = p.clone();
    db::run(&state.pool, move |conn| {
        policy::group(conn, &p, Action::GetGroup, &id)
    })
    .await
}

/// Rename or describe a group; it never moves to another domain.
pub async fn update(
    state: &AppState,
    p: &Principal,
    id: String,
    g: GroupFields,
) -> Result<Group, IamError> {
    check_fields(&g)?;
    let p = p.clone();
    db::write(&state.pool, move |conn| {
        policy::group(conn, &p, Action::UpdateGroup, &id)?;
        if g.domain_id.as_deref().is_some_and(|d| d != p.domain_id) {
            return Err(IamError::BadRequest(
                "A group cannot move to another domain.".into(),
            ));
        }
        let changes = GroupChanges {
            name: g.name,
            description: g.description,
        };
        repo::groups::update(conn, &id, &changes).map_err(name_conflict)?;
        repo::groups::find(conn, &id)?.ok_or(IamError::NotFound("group"))
    })
    .await
}

/// Delete the group; its members lose what it granted, credentials made with it too.
pub async fn delete(state: &AppState, p: &Principal, id: String) -> Result<(), IamError> {
    let p = p.clone();
    let clock = state.clock.clone();
    db::write(&state.pool, move |conn| -> Result<(), IamError> {
        policy::group(conn, &p, Action::DeleteGroup, &id)?;
        revocation::group_lost_power(conn, &id, clock.stored_now())?;
        repo::groups::delete(conn, &id)?;
        Ok(())
    })
    .await?;
    state.sync_revocations().await
}

/// The members of the group.
pub async fn members(state: &AppState, p: &Principal, id: String) -> Result<Vec<User>, IamError> {
    let p = p.clone();
    db::run(&state.pool, move |conn| {
        policy::group(conn, &p, Action::ListUsersInGroup, &id)?;
        Ok(repo::users::list_in_group(conn, &id)?)
    })
    .await
}

/// Add the user to the group.
pub async fn add_member(
    state: &AppState,
    p: &Principal,
    group_id: String,
    user_id: String,
) -> Result<(), IamError> {
    let p = p.clone();
    db::write(&state.pool, move |conn| {
        membership_target(conn, &p, Action::AddUserToGroup, &group_id, &user_id)?;
        Ok(repo::groups::add_member(conn, &group_id, &user_id)?)
    })
    .await
}

/// Whether the user is a member: `NotFound` when not.
pub async fn check_member(
    state: &AppState,
    p: &Principal,
    group_id: String,
    user_id: String,
) -> Result<(), IamError> {
    let p = p.clone();
    let member = db::run(&state.pool, move |conn| {
        membership_target(conn, &p, Action::CheckUserInGroup, &group_id, &user_id)?;
        Ok::<_, IamError>(repo::groups::is_member(conn, &group_id, &user_id)?)
    })
    .await?;
    if member {
        Ok(())
    } else {
        Err(IamError::NotFound("membership"))
    }
}

/// Take the user out of the group; they lose what it granted, credentials made with it
/// too. `NotFound` when they were no member.
pub async fn remove_member(
    state: &AppState,
    p: &Principal,
    group_id: String,
    user_id: String,
) -> Result<(), IamError> {
    let p = p.clone();
    let clock = state.clock.clone();
    let removed = db::write(&state.pool, move |conn| {
        membership_target(conn, &p, Action::RemoveUserFromGroup, &group_id, &user_id)?;
        let removed = repo::groups::remove_member(conn, &group_id, &user_id)?;
        if removed {
            revocation::lost_power(conn, &[user_id], clock.stored_now())?;
        }
        Ok::<_, IamError>(removed)
    })
    .await?;
    state.sync_revocations().await?;
    if removed {
        Ok(())
    } else {
        Err(IamError::NotFound("membership"))
    }
}

fn name_conflict(e: StoreError) -> IamError {
    e.or_taken(|| IamError::Conflict("A group with that name already exists in the domain.".into()))
}

fn check_fields(g: &GroupFields) -> Result<(), IamError> {
    if let Some(name) = &g.name {
        validate::resource_name("group", name)?;
    }
    if let Some(d) = &g.description {
        validate::description(d)?;
    }
    Ok(())
}

/// Ask the policy about the group and the user of a membership.
fn membership_target(
    conn: &mut DbConnection,
    p: &Principal,
    action: Action,
    group_id: &str,
    user_id: &str,
) -> Result<(), IamError> {
    policy::group(conn, p, action, group_id)?;
    policy::user(conn, p, action, user_id).map(drop)
}
