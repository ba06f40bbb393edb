//! Diesel queries for instances (`instances`) and issuance records.

mod instances;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use service_kit::db::{DbConnection, StoreError};

pub use self::instances::*;
use crate::schema::issuances;

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
