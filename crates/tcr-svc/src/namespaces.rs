//! Namespaces of the caller's account's registries, which decide what a registry login
//! opens: creating (or bringing back) one, listing, changing and deleting them. A name is
//! unique among the registries of one registry service, and a deleted one keeps its name
//! for its own registry alone ([`crate::repo::namespaces`]).
//!
//! Every function takes a connection inside the caller's transaction, the caller, the
//! request's parts and `now`, so tests call them without HTTP. Who may act is
//! [`crate::policy`]'s answer, asked by the action first; what a request may say is
//! `actions::namespace_input`'s.

use chrono::NaiveDateTime;
use service_kit::auth::Principal;
use service_kit::db::DbConnection;

use crate::error::TcrError;
use crate::registries;
use crate::repo::{
    self,
    namespaces::{Filter, Namespace, Settings},
};

/// A namespace of the caller's account's registry, as a request names it.
pub struct NamespaceRef {
    pub registry_id: String,
    pub name: String,
}

/// Which of a registry's namespaces a `DescribeNamespaces` lists.
pub struct Listing {
    pub registry_id: String,
    pub filter: Filter,
    /// Only namespaces with a KMS signature policy: none here has one.
    pub signed_only: bool,
    pub offset: i64,
    /// `None`: every one from `offset`.
    pub limit: Option<i64>,
}

/// Create the namespace `at` names with `settings`, or bring back its registry's own
/// tombstone of that name; a name held on the registry's service is taken.
pub fn create(
    conn: &mut DbConnection,
    p: &Principal,
    at: NamespaceRef,
    settings: &Settings,
    now: NaiveDateTime,
) -> Result<(), TcrError> {
    // Locked: a delete of the registry running meanwhile waits for this namespace, whose
    // tombstone it then writes, or this finds no registry.
    let registry = registries::of_caller_locked(conn, p, &at.registry_id)?;
    let service = &registry.registry_service;
    repo::namespaces::create(conn, &registry.id, service, &at.name, settings, now)
        .map_err(|e| e.or_taken(|| TcrError::NamespaceTaken(at.name)))
}

/// A page of the live namespaces `listing` asks for, by name, and their total.
pub fn list(
    conn: &mut DbConnection,
    p: &Principal,
    listing: &Listing,
) -> Result<(Vec<Namespace>, i64), TcrError> {
    registries::of_caller(conn, p, &listing.registry_id)?;
    if listing.signed_only {
        return Ok((Vec::new(), 0));
    }
    Ok(repo::namespaces::page(
        conn,
        &listing.registry_id,
        &listing.filter,
        listing.offset,
        listing.limit,
    )?)
}

/// Change the settings `changes` names of a live namespace.
pub fn modify(
    conn: &mut DbConnection,
    p: &Principal,
    at: NamespaceRef,
    changes: &Settings,
    now: NaiveDateTime,
) -> Result<(), TcrError> {
    registries::of_caller(conn, p, &at.registry_id)?;
    if !repo::namespaces::update(conn, &at.registry_id, &at.name, changes, now)? {
        return Err(TcrError::NamespaceNotFound);
    }
    Ok(())
}

/// Delete a live namespace; it stays as a tombstone holding its name.
pub fn delete(
    conn: &mut DbConnection,
    p: &Principal,
    at: NamespaceRef,
    now: NaiveDateTime,
) -> Result<(), TcrError> {
    registries::of_caller(conn, p, &at.registry_id)?;
    if !repo::namespaces::tombstone(conn, &at.registry_id, &at.name, now)? {
        return Err(TcrError::NamespaceNotFound);
    }
    Ok(())
}

/// A page of the live namespaces of every registry of the caller's account, by registry
/// and name, and their total.
pub fn list_in_account(
    conn: &mut DbConnection,
    p: &Principal,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Namespace>, i64), TcrError> {
    Ok(repo::namespaces::page_in_account(
        conn,
        &p.domain_id,
        offset,
        limit,
    )?)
}
