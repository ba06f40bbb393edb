//! Domains (accounts).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use service_kit::db::{DbConnection, StoreError};

use crate::schema::domains;

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = domains)]
pub struct Domain {
    pub id: String,
    pub name: String,
    pub description: String,
    pub enabled: bool,
    #[diesel(deserialize_as = service_kit::db::Timestamp)]
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, row: &Domain) -> Result<(), StoreError> {
    diesel::insert_into(domains::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: &str) -> Result<Option<Domain>, StoreError> {
    Ok(domains::table
        .find(id)
        .select(Domain::as_select())
        .first(conn)
        .optional()?)
}

pub fn find_by_name(conn: &mut DbConnection, name: &str) -> Result<Option<Domain>, StoreError> {
    Ok(domains::table
        .filter(domains::name.eq(name))
        .select(Domain::as_select())
        .first(conn)
        .optional()?)
}

pub fn set_enabled(conn: &mut DbConnection, id: &str, enabled: bool) -> Result<bool, StoreError> {
    Ok(diesel::update(domains::table.find(id))
        .set(domains::enabled.eq(enabled))
        .execute(conn)?
        == 1)
}
