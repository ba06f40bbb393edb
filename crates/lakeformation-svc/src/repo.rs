//! Diesel queries for instances and issuance records.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use service_kit::db::{DbConnection, StoreError};

use crate::schema::{instances, issuances};

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = instances)]
pub struct Instance {
    pub id: String,
    pub project_id: String,
    pub name: String,
    pub description: String,
    pub status: String,
    pub created_by: String,
    #[diesel(deserialize_as = service_kit::db::Timestamp)]
    pub created_at: NaiveDateTime,
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = issuances)]
pub struct Issuance {
    pub id: String,
    pub access: String,
    pub instance_id: String,
    pub project_id: String,
    pub domain_id: String,
    pub user_id: String,
    pub user_names: String,
    pub groups_requested: String,
    pub roles: String,
    #[diesel(deserialize_as = service_kit::db::Timestamp)]
    pub issued_at: NaiveDateTime,
    #[diesel(deserialize_as = service_kit::db::Timestamp)]
    pub expires_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

pub fn insert_instance(conn: &mut DbConnection, row: &Instance) -> Result<(), StoreError> {
    diesel::insert_into(instances::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn instance(
    conn: &mut DbConnection,
    project_id: &str,
    id: &str,
) -> Result<Option<Instance>, StoreError> {
    Ok(instances::table
        .find(id)
        .filter(instances::project_id.eq(project_id))
        .select(Instance::as_select())
        .first(conn)
        .optional()?)
}

pub fn instances_page(
    conn: &mut DbConnection,
    project_id: &str,
    name: Option<&str>,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Instance>, i64), StoreError> {
    let filtered = || {
        let mut q = instances::table
            .filter(instances::project_id.eq(project_id.to_string()))
            .into_boxed();
        if let Some(name) = name {
            q = q.filter(instances::name.eq(name.to_string()));
        }
        q
    };
    let total = filtered().count().get_result(conn)?;
    let rows = filtered()
        .order((instances::created_at.asc(), instances::id.asc()))
        .offset(offset)
        .limit(limit)
        .select(Instance::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// Delete an instance and revoke every credential issued through it: a key must not
/// outlive the instance that vouched for it.
pub fn delete_instance(
    conn: &mut DbConnection,
    id: &str,
    at: NaiveDateTime,
) -> Result<bool, StoreError> {
    diesel::update(
        issuances::table
            .filter(issuances::instance_id.eq(id))
            .filter(issuances::revoked_at.is_null()),
    )
    .set(issuances::revoked_at.eq(Some(at)))
    .execute(conn)?;
    Ok(diesel::delete(instances::table.find(id)).execute(conn)? == 1)
}

pub fn insert_issuance(conn: &mut DbConnection, row: &Issuance) -> Result<(), StoreError> {
    diesel::insert_into(issuances::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn issuance_by_access(
    conn: &mut DbConnection,
    access: &str,
) -> Result<Option<Issuance>, StoreError> {
    Ok(issuances::table
        .filter(issuances::access.eq(access))
        .select(Issuance::as_select())
        .first(conn)
        .optional()?)
}

/// Revoke one credential of the project; false when there is none by that AK that is
/// still live.
pub fn revoke_access(
    conn: &mut DbConnection,
    project_id: &str,
    access: &str,
    at: NaiveDateTime,
) -> Result<bool, StoreError> {
    // The first revocation time stays; revoking again changes nothing.
    let found = diesel::update(
        issuances::table
            .filter(issuances::access.eq(access))
            .filter(issuances::project_id.eq(project_id))
            .filter(issuances::revoked_at.is_null()),
    )
    .set(issuances::revoked_at.eq(Some(at)))
    .execute(conn)?;
    Ok(found == 1)
}

/// Revoke every credential issued to a user in the project; returns how many.
pub fn revoke_user(
    conn: &mut DbConnection,
    project_id: &str,
    user_id: &str,
    at: NaiveDateTime,
) -> Result<usize, StoreError> {
    Ok(diesel::update(
        issuances::table
            .filter(issuances::user_id.eq(user_id))
            .filter(issuances::project_id.eq(project_id))
            .filter(issuances::revoked_at.is_null()),
    )
    .set(issuances::revoked_at.eq(Some(at)))
    .execute(conn)?)
}

/// Whose credentials a durable revocation from iam-svc cuts off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Holder<'a> {
    User(&'a str),
    Project(&'a str),
}

/// Revoke every live credential of `holder` issued at or before `cutoff`; returns how
/// many. Credentials already revoked keep their first revocation time, so applying the
/// same event twice changes nothing.
pub fn revoke_issued_before(
    conn: &mut DbConnection,
    holder: Holder,
    cutoff: NaiveDateTime,
    at: NaiveDateTime,
) -> Result<usize, StoreError> {
    let live = issuances::table
        .filter(issuances::revoked_at.is_null())
        .filter(issuances::issued_at.le(cutoff));
    let n = match holder {
        Holder::User(id) => diesel::update(live.filter(issuances::user_id.eq(id)))
            .set(issuances::revoked_at.eq(Some(at)))
            .execute(conn)?,
        Holder::Project(id) => diesel::update(live.filter(issuances::project_id.eq(id)))
            .set(issuances::revoked_at.eq(Some(at)))
            .execute(conn)?,
    };
    Ok(n)
}
