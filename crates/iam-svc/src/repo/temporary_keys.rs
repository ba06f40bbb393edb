//! Issuance records of the temporary keys iam-svc issues (no secret, no token).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use service_kit::db::{DbConnection, StoreError};

use crate::schema::{domains, temporary_keys, users};

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = temporary_keys)]
pub struct TemporaryKey {
    pub access: String,
    pub token_id: String,
    pub user_id: String,
    pub domain_id: String,
    pub project_id: String,
    #[diesel(deserialize_as = service_kit::db::Timestamp)]
    pub issued_at: NaiveDateTime,
    #[diesel(deserialize_as = service_kit::db::Timestamp)]
    pub expires_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, row: &TemporaryKey) -> Result<(), StoreError> {
    let query = diesel::insert_into(temporary_keys::table).values(row);
    service_kit::on_backend!(conn, |c| query.execute(c))?;
    Ok(())
}

/// The record of `access` and whether its user and their domain are enabled (a deleted
/// user took the row with them).
pub fn find_for_check(
    conn: &mut DbConnection,
    access: &str,
) -> Result<Option<(TemporaryKey, bool)>, StoreError> {
    let query = temporary_keys::table
        .inner_join(users::table.on(users::id.eq(temporary_keys::user_id)))
        .inner_join(domains::table.on(domains::id.eq(temporary_keys::domain_id)))
        .filter(temporary_keys::access.eq(access))
        .select((TemporaryKey::as_select(), users::enabled, domains::enabled));
    let row: Option<(TemporaryKey, bool, bool)> = query.first(conn).optional()?;
    Ok(row.map(|(key, user, domain)| (key, user && domain)))
}

/// Forget the records of keys expired before `now`; returns how many.
pub fn prune(conn: &mut DbConnection, now: NaiveDateTime) -> Result<usize, StoreError> {
    let query = diesel::delete(temporary_keys::table.filter(temporary_keys::expires_at.lt(now)));
    Ok(service_kit::on_backend!(conn, |c| query.execute(c))?)
}
