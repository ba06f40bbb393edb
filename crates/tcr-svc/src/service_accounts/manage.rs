//! Managing a registry's service accounts: creating one, listing, changing, setting a
//! new password and deleting. The permissions may only name live namespaces of the
//! account's own registry, and a login name is unique on the registry's service.
//!
//! Every function takes a connection inside the caller's transaction, the caller and the
//! request's parts, so tests call them without HTTP. Who may act is [`crate::policy`]'s
//! answer, asked by the action first; what a request may say is
//! `actions::service_account_input`'s.

use chrono::NaiveDateTime;
use service_kit::auth::Principal;
use service_kit::db::DbConnection;

use super::permissions::{self, Permission};
use crate::error::TcrError;
use crate::registries;
use crate::repo::{
    self,
    service_accounts::{AccountChanges, ServiceAccount},
};

/// A service account of the caller's account's registry, by its login name.
pub struct AccountRef {
    pub registry_id: String,
    /// The login name, `tcr$<name>` ([`super::name::login_name`]).
    pub name: String,
}

/// The account a `CreateServiceAccount` makes: its row but for the registry's service,
/// filled in here, and the permissions it was given.
pub struct NewAccount {
    pub row: ServiceAccount,
    pub permissions: Vec<Permission>,
}

/// Every namespace the permissions name is a live namespace of the registry.
fn check_namespaces(
    conn: &mut DbConnection,
    registry_id: &str,
    list: &[Permission],
) -> Result<(), TcrError> {
    let asked = permissions::namespaces(list);
    let found = repo::service_accounts::live_namespaces(conn, registry_id, &asked)?;
    match asked.into_iter().find(|n| !found.contains(n)) {
        Some(missing) => Err(TcrError::PermissionNamespaceNotFound(missing)),
        None => Ok(()),
    }
}

/// Store the new account on its registry's service, where its name must be free.
pub fn create(
    conn: &mut DbConnection,
    p: &Principal,
    new: NewAccount,
) -> Result<ServiceAccount, TcrError> {
    let registry = registries::of_caller(conn, p, &new.row.registry_id)?;
    check_namespaces(conn, &registry.id, &new.permissions)?;
    let row = ServiceAccount {
        registry_service: registry.registry_service,
        ..new.row
    };
    repo::service_accounts::insert(conn, &row).map_err(|e| {
        e.or_taken(|| {
            TcrError::NameConflict(format!(
                "A service account named {} already exists on this registry's service.",
                row.name
            ))
        })
    })?;
    Ok(row)
}

/// A page of the registry's accounts, oldest first (`limit` `None`: all from `offset`),
/// and their total; `names` keeps only those login names.
pub fn list(
    conn: &mut DbConnection,
    p: &Principal,
    registry_id: &str,
    names: Option<&[String]>,
    offset: i64,
    limit: Option<i64>,
) -> Result<(Vec<ServiceAccount>, i64), TcrError> {
    registries::of_caller(conn, p, registry_id)?;
    Ok(repo::service_accounts::page(
        conn,
        registry_id,
        names,
        offset,
        limit,
    )?)
}

/// Apply `changes`; new permissions must name live namespaces of the registry.
pub fn modify(
    conn: &mut DbConnection,
    p: &Principal,
    at: AccountRef,
    changes: &AccountChanges,
    new_permissions: Option<&[Permission]>,
) -> Result<(), TcrError> {
    let found = locked(conn, p, &at)?;
    if let Some(list) = new_permissions {
        check_namespaces(conn, &at.registry_id, list)?;
    }
    repo::service_accounts::update(conn, &found.id, changes)?;
    Ok(())
}

/// Store the digest of the account's new password.
pub fn set_password(
    conn: &mut DbConnection,
    p: &Principal,
    at: AccountRef,
    digest: String,
    now: NaiveDateTime,
) -> Result<(), TcrError> {
    let found = locked(conn, p, &at)?;
    let changes = AccountChanges {
        password_digest: Some(digest),
        updated_at: Some(now),
        ..Default::default()
    };
    repo::service_accounts::update(conn, &found.id, &changes)?;
    Ok(())
}

pub fn delete(conn: &mut DbConnection, p: &Principal, at: AccountRef) -> Result<(), TcrError> {
    registries::of_caller(conn, p, &at.registry_id)?;
    if !repo::service_accounts::delete(conn, &at.registry_id, &at.name)? {
        return Err(TcrError::ServiceAccountNotFound);
    }
    Ok(())
}

/// The account, locked until the transaction ends (PostgreSQL), so that a change is made
/// on the state it was decided on.
fn locked(
    conn: &mut DbConnection,
    p: &Principal,
    at: &AccountRef,
) -> Result<ServiceAccount, TcrError> {
    registries::of_caller(conn, p, &at.registry_id)?;
    repo::service_accounts::find_locked(conn, &at.registry_id, &at.name)?
        .ok_or(TcrError::ServiceAccountNotFound)
}
