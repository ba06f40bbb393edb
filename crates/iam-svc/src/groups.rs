//! Groups of a domain and their members. Each rule is a function of a connection inside
//! the caller's transaction, the caller, the request's parts and the time (policy check,
//! the write and the revocation it calls for), so tests call them without HTTP;
//! `routes/groups.rs` runs them on the pool, refreshes the revocation feed after a
//! revoking commit and renders the result.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use service_kit::auth::Principal;
use service_kit::db::{DbConnection, StoreError};
use utoipa::ToSchema;

use crate::error::IamError;
use crate::policy::{self, Action};
use crate::repo::{self, groups::Group, groups::GroupChanges, users::User};
use crate::revocation;
use crate::validate;

/// A new group's fields as Keystone names them: `name` is required (400 without it).
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewGroup {
    #[serde(default)]
    #[schema(schema_with = validate::schema::name, required = true)]
    pub name: Option<String>,
    /// The caller's domain when absent; another domain is refused (403).
    #[serde(default)]
    pub domain_id: Option<String>,
    #[serde(default)]
    #[schema(schema_with = validate::schema::optional_description)]
    pub description: Option<String>,
}

/// A change to a group; absent fields stay as they are.
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupEdit {
    #[serde(default)]
    #[schema(schema_with = validate::schema::optional_name)]
    pub name: Option<String>,
    /// The group's own domain only: a group never moves (400 otherwise).
    #[serde(default)]
    pub domain_id: Option<String>,
    #[serde(default)]
    #[schema(schema_with = validate::schema::optional_description)]
    pub description: Option<String>,
}

/// Create a group in the caller's domain (or the one named, if the policy allows).
pub fn create(
    conn: &mut DbConnection,
    p: &Principal,
    g: NewGroup,
    now: NaiveDateTime,
) -> Result<Group, IamError> {
    check_fields(g.name.as_deref(), g.description.as_deref())?;
    let name = g
        .name
        .ok_or_else(|| IamError::BadRequest("group.name is required".into()))?;
    let domain_id = policy::in_domain(conn, p, Action::CreateGroup, g.domain_id.as_deref())?;
    let row = Group {
        id: repo::new_id(),
        domain_id,
        name,
        description: g.description.unwrap_or_default(),
        created_at: now,
    };
    repo::groups::insert(conn, &row).map_err(name_conflict)?;
    Ok(row)
}

/// The groups of the caller's domain, those named `name` if given.
pub fn list(
    conn: &mut DbConnection,
    p: &Principal,
    asked_domain: Option<String>,
    name: Option<&str>,
) -> Result<Vec<Group>, IamError> {
    policy::in_domain(conn, p, Action::ListGroups, None)?;
    if policy::lists_another_domain(p, asked_domain.as_deref()) {
        return Ok(Vec::new());
    }
    Ok(repo::groups::list(conn, &p.domain_id, name)?)
}

/// One group the caller may see.
pub fn show(conn: &mut DbConnection, p: &Principal, id: &str) -> Result<Group, IamError> {
    policy::group(conn, p, Action::GetGroup, id)
}

/// Rename or describe a group; it never moves to another domain.
pub fn update(
    conn: &mut DbConnection,
    p: &Principal,
    id: &str,
    g: GroupEdit,
) -> Result<Group, IamError> {
    check_fields(g.name.as_deref(), g.description.as_deref())?;
    policy::group(conn, p, Action::UpdateGroup, id)?;
    if g.domain_id.as_deref().is_some_and(|d| d != p.domain_id) {
        return Err(IamError::BadRequest(
            "A group cannot move to another domain.".into(),
        ));
    }
    let changes = GroupChanges {
        name: g.name,
        description: g.description,
    };
    repo::groups::update(conn, id, &changes).map_err(name_conflict)?;
    repo::groups::find(conn, id)?.ok_or(IamError::NotFound("group"))
}

/// Delete the group; its members lose what it granted, credentials made with it too.
pub fn delete(
    conn: &mut DbConnection,
    p: &Principal,
    id: &str,
    now: NaiveDateTime,
) -> Result<(), IamError> {
    policy::group(conn, p, Action::DeleteGroup, id)?;
    revocation::group_lost_power(conn, id, now)?;
    repo::groups::delete(conn, id)?;
    Ok(())
}

/// The members of the group.
pub fn members(conn: &mut DbConnection, p: &Principal, id: &str) -> Result<Vec<User>, IamError> {
    policy::group(conn, p, Action::ListUsersInGroup, id)?;
    Ok(repo::users::list_in_group(conn, id)?)
}

/// A user and a group, as a membership call names them.
pub struct Membership {
    pub group_id: String,
    pub user_id: String,
}

/// Add the user to the group.
pub fn add_member(conn: &mut DbConnection, p: &Principal, m: &Membership) -> Result<(), IamError> {
    membership_target(conn, p, Action::AddUserToGroup, m)?;
    Ok(repo::groups::add_member(conn, &m.group_id, &m.user_id)?)
}

/// Whether the user is a member: `NotFound` when not.
pub fn check_member(
    conn: &mut DbConnection,
    p: &Principal,
    m: &Membership,
) -> Result<(), IamError> {
    membership_target(conn, p, Action::CheckUserInGroup, m)?;
    if repo::groups::is_member(conn, &m.group_id, &m.user_id)? {
        Ok(())
    } else {
        Err(IamError::NotFound("membership"))
    }
}

/// Take the user out of the group; they lose what it granted, credentials made with it
/// too. Whether they were a member: the handler answers `NotFound` after the feed is
/// refreshed when they were not.
pub fn remove_member(
    conn: &mut DbConnection,
    p: &Principal,
    m: Membership,
    now: NaiveDateTime,
) -> Result<bool, IamError> {
    membership_target(conn, p, Action::RemoveUserFromGroup, &m)?;
    let removed = repo::groups::remove_member(conn, &m.group_id, &m.user_id)?;
    if removed {
        revocation::lost_power(conn, &[m.user_id], now)?;
    }
    Ok(removed)
}

fn name_conflict(e: StoreError) -> IamError {
    e.or_taken(|| IamError::Conflict("A group with that name already exists in the domain.".into()))
}

fn check_fields(name: Option<&str>, description: Option<&str>) -> Result<(), IamError> {
    if let Some(name) = name {
        validate::resource_name("group", name)?;
    }
    if let Some(d) = description {
        validate::description(d)?;
    }
    Ok(())
}

/// Ask the policy about the group and the user of a membership.
fn membership_target(
    conn: &mut DbConnection,
    p: &Principal,
    action: Action,
    m: &Membership,
) -> Result<(), IamError> {
    policy::group(conn, p, action, &m.group_id)?;
    policy::user(conn, p, action, &m.user_id).map(drop)
}
