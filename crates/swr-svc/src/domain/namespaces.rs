//! The namespaces of an instance: creating one (its name unique in the registry),
//! listing, showing, making it public or private, and deleting it, which leaves the
//! name taken by its instance (`repo::namespaces`). What the bodies and the list's
//! query may say is `crate::namespaces`'.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use service_kit::auth::Principal;
use service_kit::db::DbConnection;

use super::InstancePath;
use crate::error::SwrError;
use crate::namespaces::{list_query, validate_namespace_name, CreateBody, Metadata, UpdateBody};
use crate::policy::{self, Action};
use crate::repo;
use crate::repo::namespaces::{Namespace, NewNamespace};

/// An instance's namespace, as the path names it.
pub struct NamespacePath {
    pub project_id: String,
    pub instance_id: String,
    pub name: String,
}

/// Create the namespace `body` describes in the project's instance, at `now`.
pub fn create(
    conn: &mut DbConnection,
    p: &Principal,
    instance: InstancePath,
    body: CreateBody,
    now: NaiveDateTime,
) -> Result<Namespace, SwrError> {
    policy::authorize(p, &instance.project_id, Action::CreateNamespace)?;
    validate_namespace_name(&body.namespace_name)?;
    let public = body.metadata.as_ref().map(Metadata::public).transpose()?;
    let name = body.namespace_name;
    // Held until the namespace is in: a delete of the instance then tombstones it too.
    let found =
        repo::instances::find_locked_in_project(conn, &instance.project_id, &instance.instance_id)?
            .ok_or(SwrError::InstanceNotFound)?;
    let new = NewNamespace {
        instance_id: &found.id,
        registry_service: &found.registry_service,
        name: &name,
        public: public.unwrap_or(false),
    };
    repo::namespaces::create(conn, &new, now)?.ok_or_else(|| {
        SwrError::NamespaceTaken(format!(
            "The namespace {name} already exists in the registry."
        ))
    })
}

/// The page of the instance's namespaces `query` asks for, and how many match in all.
pub fn list(
    conn: &mut DbConnection,
    p: &Principal,
    instance: InstancePath,
    query: &HashMap<String, String>,
) -> Result<(Vec<Namespace>, i64), SwrError> {
    policy::authorize(p, &instance.project_id, Action::ListNamespaces)?;
    let wanted = list_query(query)?;
    super::instance(conn, &instance.project_id, &instance.instance_id)?;
    Ok(repo::namespaces::page(
        conn,
        &instance.instance_id,
        &wanted,
    )?)
}

/// The live namespace the path names.
pub fn show(
    conn: &mut DbConnection,
    p: &Principal,
    path: NamespacePath,
) -> Result<Namespace, SwrError> {
    policy::authorize(p, &path.project_id, Action::GetNamespace)?;
    super::instance(conn, &path.project_id, &path.instance_id)?;
    repo::namespaces::find(conn, &path.instance_id, &path.name)?.ok_or(SwrError::NamespaceNotFound)
}

/// Make the namespace the path names public or private, as `body` says, at `now`;
/// answers it as it now is.
pub fn update(
    conn: &mut DbConnection,
    p: &Principal,
    path: NamespacePath,
    body: UpdateBody,
    now: NaiveDateTime,
) -> Result<Namespace, SwrError> {
    policy::authorize(p, &path.project_id, Action::UpdateNamespace)?;
    let public = body.public()?;
    let NamespacePath {
        project_id,
        instance_id,
        name,
    } = path;
    super::instance(conn, &project_id, &instance_id)?;
    if !repo::namespaces::set_public(conn, &instance_id, &name, public, now)? {
        return Err(SwrError::NamespaceNotFound);
    }
    repo::namespaces::find(conn, &instance_id, &name)?.ok_or(SwrError::NamespaceNotFound)
}

/// Delete the namespace the path names at `now`; its name stays taken by the instance.
pub fn delete(
    conn: &mut DbConnection,
    p: &Principal,
    path: NamespacePath,
    now: NaiveDateTime,
) -> Result<(), SwrError> {
    policy::authorize(p, &path.project_id, Action::DeleteNamespace)?;
    super::instance(conn, &path.project_id, &path.instance_id)?;
    if !repo::namespaces::tombstone(conn, &path.instance_id, &path.name, now)? {
        return Err(SwrError::NamespaceNotFound);
    }
    Ok(())
}
