//! Projects of a domain: creating, listing, reading, renaming and deleting them. Each
//! rule is a function of a connection inside the caller's transaction, the caller, the
//! request's parts and the time (policy check, the write and the revocation it calls
//! for), so tests call them without HTTP; `routes/projects.rs` runs them on the pool,
//! refreshes the revocation feed after a delete, pages the list and renders the result.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use service_kit::auth::Principal;
use service_kit::db::{DbConnection, StoreError};
use utoipa::ToSchema;

use crate::error::IamError;
use crate::policy::{self, Action};
use crate::repo::{self, projects::Project, projects::ProjectChanges, projects::ProjectFilter};
use crate::revocation;
use crate::validate;

/// A new project, as Keystone's `POST /v3/projects` names the fields.
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProject {
    #[schema(schema_with = validate::schema::name)]
    pub name: String,
    /// A project of the domain, or the domain itself (a top-level project, as when
    /// absent); anything else is refused (400).
    #[serde(default)]
    pub parent_id: Option<String>,
    /// The caller's domain when absent; another domain is refused (403).
    #[serde(default)]
    pub domain_id: Option<String>,
    #[serde(default)]
    #[schema(schema_with = validate::schema::optional_description)]
    pub description: Option<String>,
}

/// A change to a project; absent fields stay as they are.
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectEdit {
    #[serde(default)]
    #[schema(schema_with = validate::schema::optional_name)]
    pub name: Option<String>,
    #[serde(default)]
    #[schema(schema_with = validate::schema::optional_description)]
    pub description: Option<String>,
}

/// Create a project in the caller's domain (or the one named, if the policy allows), its
/// parent a project of the same domain.
pub fn create(
    conn: &mut DbConnection,
    p: &Principal,
    x: NewProject,
    now: NaiveDateTime,
) -> Result<Project, IamError> {
    validate::resource_name("project", &x.name)?;
    if let Some(d) = &x.description {
        validate::description(d)?;
    }
    let domain_id = policy::in_domain(conn, p, Action::CreateProject, x.domain_id.as_deref())?;
    // A top-level project's parent is its domain, as in Keystone.
    let parent_id = match x.parent_id {
        Some(parent) if parent != domain_id => {
            let found = repo::projects::find(conn, &parent)?;
            if found.is_none_or(|x| x.domain_id != domain_id) {
                return Err(IamError::BadRequest(
                    "parent_id must be a project of the domain".into(),
                ));
            }
            Some(parent)
        }
        _ => None,
    };
    let row = Project {
        id: repo::new_id(),
        domain_id,
        parent_id,
        name: x.name,
        description: x.description.unwrap_or_default(),
        enabled: true,
        created_at: now,
    };
    repo::projects::insert(conn, &row).map_err(name_conflict)?;
    Ok(row)
}

/// The projects of the caller's domain that match `filter` and that the caller may see.
pub fn list(
    conn: &mut DbConnection,
    p: &Principal,
    asked_domain: Option<String>,
    mut filter: ProjectFilter,
) -> Result<Vec<Project>, IamError> {
    if policy::lists_another_domain(p, asked_domain.as_deref()) {
        return Ok(Vec::new());
    }
    filter.ids = policy::visible_projects(conn, p)?;
    Ok(repo::projects::list(conn, &p.domain_id, &filter)?)
}

/// One project the caller may see.
pub fn show(conn: &mut DbConnection, p: &Principal, id: &str) -> Result<Project, IamError> {
    policy::project(conn, p, Action::GetProject, id)
}

/// Rename or describe a project.
pub fn update(
    conn: &mut DbConnection,
    p: &Principal,
    id: &str,
    x: ProjectEdit,
) -> Result<Project, IamError> {
    if let Some(name) = &x.name {
        validate::resource_name("project", name)?;
    }
    if let Some(d) = &x.description {
        validate::description(d)?;
    }
    policy::project(conn, p, Action::UpdateProject, id)?;
    let changes = ProjectChanges {
        name: x.name,
        description: x.description,
    };
    repo::projects::update(conn, id, &changes).map_err(name_conflict)?;
    repo::projects::find(conn, id)?.ok_or(IamError::NotFound("project"))
}

/// Keystone's project delete: the domain admin's, refused while child projects remain.
/// Every credential scoped to the project dies with it.
pub fn delete(
    conn: &mut DbConnection,
    p: &Principal,
    id: &str,
    now: NaiveDateTime,
) -> Result<(), IamError> {
    policy::project(conn, p, Action::DeleteProject, id)?;
    if repo::projects::has_children(conn, id)? {
        return Err(IamError::Conflict(
            "The project has child projects; delete them first.".into(),
        ));
    }
    if !repo::projects::delete(conn, id)? {
        return Err(IamError::NotFound("project"));
    }
    revocation::project_gone(conn, id, now)
}

fn name_conflict(e: StoreError) -> IamError {
    e.or_taken(|| {
        IamError::Conflict("A project with that name already exists in the domain.".into())
    })
}
