//! The fixed roles: admin, member, readonly (seeded by the first migration).

use diesel::prelude::*;
use service_kit::db::{DbConnection, StoreError};

use crate::schema::roles;

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = roles)]
pub struct Role {
    pub id: String,
    pub name: String,
    pub display_name: String,
    pub description: String,
}

pub fn list(conn: &mut DbConnection, name: Option<&str>) -> Result<Vec<Role>, StoreError> {
    let mut q = roles::table.into_boxed();
    if let Some(name) = name {
        q = q.filter(roles::name.eq(name.to_string()));
    }
    Ok(q.order(roles::name.asc())
        .select(Role::as_select())
        .load(conn)?)
}

pub fn find(conn: &mut DbConnection, id: &str) -> Result<Option<Role>, StoreError> {
    Ok(roles::table
        .find(id)
        .select(Role::as_select())
        .first(conn)
        .optional()?)
}

pub fn find_by_name(conn: &mut DbConnection, name: &str) -> Result<Option<Role>, StoreError> {
    Ok(roles::table
        .filter(roles::name.eq(name))
        .select(Role::as_select())
        .first(conn)
        .optional()?)
}
