//! Service accounts. The login name (`tcr$<name>`) is unique per registry service (a
//! constraint); the password is stored only as a tagged digest.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use service_kit::db::{DbConnection, StoreError};

use crate::schema::{namespaces, registries, service_accounts};

/// A stored service account. No `Debug`: the digest stays out of logs too.
#[derive(Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = service_accounts)]
pub struct ServiceAccount {
    pub id: String,
    pub registry_id: String,
    pub registry_service: String,
    /// The login name, `tcr$<name>`.
    pub name: String,
    pub description: String,
    pub password_digest: String,
    /// The permissions as JSON (`service_accounts::permissions`).
    pub permissions: String,
    pub disabled: bool,
    /// `None`: never expires.
    pub expires_at: Option<NaiveDateTime>,
    /// The user who created it; it does not belong to them.
    pub created_by: String,
    #[diesel(deserialize_as = service_kit::db::Timestamp)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = service_kit::db::Timestamp)]
    pub updated_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

/// A change to a stored account; `None` leaves a column as it is.
#[derive(Default, AsChangeset)]
#[diesel(table_name = service_accounts)]
pub struct AccountChanges {
    pub description: Option<String>,
    pub password_digest: Option<String>,
    pub permissions: Option<String>,
    pub disabled: Option<bool>,
    pub expires_at: Option<Option<NaiveDateTime>>,
    pub updated_at: Option<NaiveDateTime>,
}

/// What a registry login checks of an account.
#[derive(Queryable)]
pub struct LoginRecord {
    pub password_digest: String,
    pub permissions: String,
    pub disabled: bool,
    pub expires_at: Option<NaiveDateTime>,
    pub registry_id: String,
}

pub fn insert(conn: &mut DbConnection, row: &ServiceAccount) -> Result<(), StoreError> {
    diesel::insert_into(service_accounts::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// The registry's account with this login name, locked until the transaction ends on
/// PostgreSQL, so that a change is made on the state it was decided on.
pub fn find_locked(
    conn: &mut DbConnection,
    registry_id: &str,
    name: &str,
) -> Result<Option<ServiceAccount>, StoreError> {
    Ok(service_kit::first_locked!(
        conn,
        service_accounts::table
            .filter(service_accounts::registry_id.eq(registry_id))
            .filter(service_accounts::name.eq(name))
            .select(ServiceAccount::as_select())
    )?)
}

/// A page of the registry's accounts, oldest first (`limit` `None`: all from `offset`),
/// and how many there are; `names` keeps only those login names.
pub fn page(
    conn: &mut DbConnection,
    registry_id: &str,
    names: Option<&[String]>,
    offset: i64,
    limit: Option<i64>,
) -> Result<(Vec<ServiceAccount>, i64), StoreError> {
    let filtered = || {
        let mut q = service_accounts::table
            .filter(service_accounts::registry_id.eq(registry_id.to_string()))
            .into_boxed();
        if let Some(names) = names {
            q = q.filter(service_accounts::name.eq_any(names.to_vec()));
        }
        q
    };
    let total = filtered().count().get_result(conn)?;
    // SQLite takes no OFFSET without a LIMIT: "all" is the largest limit.
    let rows = filtered()
        .order((
            service_accounts::created_at.asc(),
            service_accounts::id.asc(),
        ))
        .offset(offset)
        .limit(limit.unwrap_or(i64::MAX))
        .select(ServiceAccount::as_select())
        .load(conn)?;
    Ok((rows, total))
}

pub fn update(
    conn: &mut DbConnection,
    id: &str,
    changes: &AccountChanges,
) -> Result<bool, StoreError> {
    Ok(diesel::update(service_accounts::table.find(id))
        .set(changes)
        .execute(conn)?
        == 1)
}

pub fn delete(conn: &mut DbConnection, registry_id: &str, name: &str) -> Result<bool, StoreError> {
    Ok(diesel::delete(
        service_accounts::table
            .filter(service_accounts::registry_id.eq(registry_id))
            .filter(service_accounts::name.eq(name)),
    )
    .execute(conn)?
        == 1)
}

/// Revoke for good the service accounts of the account's registries created at or before
/// `cutoff` (the account was disabled); how many.
pub fn revoke_in_account(
    conn: &mut DbConnection,
    domain_id: &str,
    cutoff: NaiveDateTime,
    at: NaiveDateTime,
) -> Result<usize, StoreError> {
    let registries_of_account = registries::table
        .filter(registries::domain_id.eq(domain_id))
        .select(registries::id);
    Ok(diesel::update(
        service_accounts::table
            .filter(service_accounts::registry_id.eq_any(registries_of_account))
            .filter(service_accounts::created_at.le(cutoff))
            .filter(service_accounts::revoked_at.is_null()),
    )
    .set(service_accounts::revoked_at.eq(at))
    .execute(conn)?)
}

/// Which of `names` are live namespaces of the registry.
pub fn live_namespaces(
    conn: &mut DbConnection,
    registry_id: &str,
    names: &[String],
) -> Result<Vec<String>, StoreError> {
    Ok(namespaces::table
        .filter(namespaces::registry_id.eq(registry_id))
        .filter(namespaces::name.eq_any(names))
        .filter(namespaces::deleted_at.is_null())
        .select(namespaces::name)
        .load(conn)?)
}

/// What a login as `name` on the registry `service` checks: one read by the unique key.
/// A revoked account is not found.
pub fn login_record(
    conn: &mut DbConnection,
    service: &str,
    name: &str,
) -> Result<Option<LoginRecord>, StoreError> {
    Ok(service_accounts::table
        .filter(service_accounts::registry_service.eq(service))
        .filter(service_accounts::name.eq(name))
        .filter(service_accounts::revoked_at.is_null())
        .select((
            service_accounts::password_digest,
            service_accounts::permissions,
            service_accounts::disabled,
            service_accounts::expires_at,
            service_accounts::registry_id,
        ))
        .first(conn)
        .optional()?)
}
