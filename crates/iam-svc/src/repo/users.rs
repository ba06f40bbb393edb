//! Users and their password hashes.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use service_kit::db::{DbConnection, StoreError};

use crate::schema::{group_members, users};

#[derive(Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: String,
    pub domain_id: String,
    pub name: String,
    pub password_hash: String,
    pub enabled: bool,
    pub description: String,
    #[diesel(deserialize_as = service_kit::db::Timestamp)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = service_kit::db::Timestamp)]
    pub updated_at: NaiveDateTime,
    /// Whether the user must change their password (Huawei's `pwd_status`): set by an
    /// admin, cleared by the user's own change.
    pub pwd_status: bool,
}

impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("domain_id", &self.domain_id)
            .field("name", &self.name)
            .field("enabled", &self.enabled)
            .finish_non_exhaustive()
    }
}

/// Fields an administrator may change; `None` leaves a field alone.
#[derive(Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct UserChanges {
    pub name: Option<String>,
    pub password_hash: Option<String>,
    pub enabled: Option<bool>,
    pub description: Option<String>,
    pub updated_at: Option<NaiveDateTime>,
    pub pwd_status: Option<bool>,
}

/// Filters of `GET /v3/users`.
#[derive(Default)]
pub struct UserFilter {
    pub name: Option<String>,
    pub enabled: Option<bool>,
}

pub fn insert(conn: &mut DbConnection, row: &User) -> Result<(), StoreError> {
    diesel::insert_into(users::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// The domain of user `id`, if the user exists; on PostgreSQL the user's row is then
/// locked until the transaction ends, in the same statement, which serialises quota checks
/// for the user (SQLite's writes are serial already).
pub fn lock(conn: &mut DbConnection, id: &str) -> Result<Option<String>, StoreError> {
    let user = users::table.find(id).select(users::domain_id);
    Ok(service_kit::first_locked!(conn, user)?)
}

pub fn find(conn: &mut DbConnection, id: &str) -> Result<Option<User>, StoreError> {
    Ok(users::table
        .find(id)
        .select(User::as_select())
        .first(conn)
        .optional()?)
}

pub fn find_by_name(
    conn: &mut DbConnection,
    domain_id: &str,
    name: &str,
) -> Result<Option<User>, StoreError> {
    Ok(users::table
        .filter(users::domain_id.eq(domain_id))
        .filter(users::name.eq(name))
        .select(User::as_select())
        .first(conn)
        .optional()?)
}

pub fn list(
    conn: &mut DbConnection,
    domain_id: &str,
    f: &UserFilter,
) -> Result<Vec<User>, StoreError> {
    let mut q = users::table
        .filter(users::domain_id.eq(domain_id))
        .into_boxed();
    if let Some(name) = &f.name {
        q = q.filter(users::name.eq(name.clone()));
    }
    if let Some(enabled) = f.enabled {
        q = q.filter(users::enabled.eq(enabled));
    }
    Ok(q.order(users::name.asc())
        .select(User::as_select())
        .load(conn)?)
}

pub fn list_in_group(conn: &mut DbConnection, group_id: &str) -> Result<Vec<User>, StoreError> {
    Ok(users::table
        .inner_join(group_members::table)
        .filter(group_members::group_id.eq(group_id))
        .order(users::name.asc())
        .select(User::as_select())
        .load(conn)?)
}

/// Returns false when no such user exists.
pub fn update(
    conn: &mut DbConnection,
    id: &str,
    changes: &UserChanges,
) -> Result<bool, StoreError> {
    Ok(diesel::update(users::table.find(id))
        .set(changes)
        .execute(conn)?
        == 1)
}

/// Returns false when no such user exists.
pub fn delete(conn: &mut DbConnection, id: &str) -> Result<bool, StoreError> {
    Ok(diesel::delete(users::table.find(id)).execute(conn)? == 1)
}

/// The ids of the domain's users.
pub fn ids_in_domain(conn: &mut DbConnection, domain_id: &str) -> Result<Vec<String>, StoreError> {
    Ok(users::table
        .filter(users::domain_id.eq(domain_id))
        .order(users::id.asc())
        .select(users::id)
        .load(conn)?)
}
