//! The namespaces of an instance: creating one (its name unique in the registry),
//! listing, showing, making it public or private, and deleting it, which leaves the
//! name taken by its instance (`repo::namespaces`). What the bodies and the list's
//! query may say is `crate::namespaces`'.

use std::collections::HashMap;

use service_kit::auth::Principal;
use service_kit::db;

use crate::error::SwrError;
use crate::namespaces::{list_query, validate_namespace_name, CreateBody, Metadata, UpdateBody};
use crate::policy::{self, Action};
use crate::repo;
use crate::repo::namespaces::{Namespace, NewNamespace};
use crate::state::AppState;

/// An instance's namespace, as the path names it.
pub struct NamespacePath {
    pub project_id: String,
    pub instance_id: String,
    pub name: String,
}

/// Create the namespace `body` describes in the project's instance.
pub async fn create(
    state: &AppState,
    p: &Principal,
    project_id: String,
    instance_id: String,
    body: CreateBody,
) -> Result<Namespace, SwrError> {
    policy::authorize(p, &project_id, Action::CreateNamespace)?;
    validate_namespace_name(&body.namespace_name)?;
    let public = body.metadata.as_ref().map(Metadata::public).transpose()?;
    let name = body.namespace_name;
    let clock = state.clock.clone();
    db::write(&state.pool, move |conn| {
        // Held until the namespace is in: a delete of the instance then tombstones it too.
        let instance = repo::instances::find_locked_in_project(conn, &project_id, &instance_id)?
            .ok_or(SwrError::InstanceNotFound)?;
        let new = NewNamespace {
            instance_id: &instance.id,
            registry_service: &instance.registry_service,
            name: &name,
            public: public.unwrap_or(false),
        };
        repo::namespaces::create(conn, &new, clock.stored_now())?.ok_or_else(|| {
            SwrError::Conflict(format!(
                "The namespace {name} already exists in the registry."
            ))
        })
    })
    .await
}

/// The page of the instance's namespaces `query` asks for, and how many match in all.
pub async fn list(
    state: &AppState,
    p: &Principal,
    project_id: String,
    instance_id: String,
    query: &HashMap<String, String>,
) -> Result<(Vec<Namespace>, i64), SwrError> {
    policy::authorize(p, &project_id, Action::ListNamespaces)?;
    let wanted = list_query(query)?;
    db::run(&state.pool, move |conn| {
        super::instance(conn, &project_id, &instance_id)?;
        Ok(repo::namespaces::page(conn, &instance_id, &wanted)?)
    })
    .await
}

/// The live namespace the path names.
pub async fn show(
    state: &AppState,
    p: &Principal,
    path: NamespacePath,
) -> Result<Namespace, SwrError> {
    policy::authorize(p, &path.project_id, Action::GetNamespace)?;
    db::run(&state.pool, move |conn| {
        super::instance(conn, &path.project_id, &path.instance_id)?;
        repo::namespaces::find(conn, &path.instance_id, &path.name)?
            .ok_or(SwrError::NamespaceNotFound)
    })
    .await
}

/// Make the namespace the path names public or private, as `body` says; answers it as
/// it now is.
pub async fn update(
    state: &AppState,
    p: &Principal,
    path: NamespacePath,
    body: UpdateBody,
) -> Result<Namespace, SwrError> {
    policy::authorize(p, &path.project_id, Action::UpdateNamespace)?;
    let public = body.public()?;
    let clock = state.clock.clone();
    db::write(&state.pool, move |conn| {
        let NamespacePath {
            project_id,
            instance_id,
            name,
        } = path;
        super::instance(conn, &project_id, &instance_id)?;
        if !repo::namespaces::set_public(conn, &instance_id, &name, public, clock.stored_now())? {
            return Err(SwrError::NamespaceNotFound);
        }
        repo::namespaces::find(conn, &instance_id, &name)?.ok_or(SwrError::NamespaceNotFound)
    })
    .await
}

/// Delete the namespace the path names; its name stays taken by the instance.
pub async fn delete(state: &AppState, p: &Principal, path: NamespacePath) -> Result<(), SwrError> {
    policy::authorize(p, &path.project_id, Action::DeleteNamespace)?;
    let clock = state.clock.clone();
    db::write(&state.pool, move |conn| {
        super::instance(conn, &path.project_id, &path.instance_id)?;
        if !repo::namespaces::tombstone(conn, &path.instance_id, &path.name, clock.stored_now())? {
            return Err(SwrError::NamespaceNotFound);
        }
        Ok(())
    })
    .await
}
