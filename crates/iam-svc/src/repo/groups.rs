//! Groups and their members.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use service_kit::db::{DbConnection, StoreError};

use crate::schema::{group_members, user_groups};

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = user_groups)]
pub struct Group {
    pub id: String,
    pub domain_id: String,
    pub name: String,
    pub description: String,
    #[diesel(deserialize_as = service_kit::db::Timestamp)]
    pub created_at: NaiveDateTime,
}

#[derive(Default, AsChangeset)]
#[diesel(table_name = user_groups)]
pub struct GroupChanges {
    pub name: Option<String>,
    pub description: Option<String>,
}

pub fn insert(conn: &mut DbConnection, row: &Group) -> Result<(), StoreError> {
    diesel::insert_into(user_groups::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: &str) -> Result<Option<Group>, StoreError> {
    Ok(user_groups::table
        .find(id)
        .select(Group::as_select())
        .first(conn)
        .optional()?)
}

pub fn find_by_name(
    conn: &mut DbConnection,
    domain_id: &str,
    name: &str,
) -> Result<Option<Group>, StoreError> {
    Ok(user_groups::table
        .filter(user_groups::domain_id.eq(domain_id))
        .filter(user_groups::name.eq(name))
        .select(Group::as_select())
        .first(conn)
        .optional()?)
}

pub fn list(
    conn: &mut DbConnection,
    domain_id: &str,
    name: Option<&str>,
) -> Result<Vec<Group>, StoreError> {
    let mut q = user_groups::table
        .filter(user_groups::domain_id.eq(domain_id))
        .into_boxed();
    if let Some(name) = name {
        q = q.filter(user_groups::name.eq(name.to_string()));
    }
    Ok(q.order(user_groups::name.asc())
        .select(Group::as_select())
        .load(conn)?)
}

pub fn list_for_user(conn: &mut DbConnection, user_id: &str) -> Result<Vec<Group>, StoreError> {
    Ok(user_groups::table
        .inner_join(group_members::table)
        .filter(group_members::user_id.eq(user_id))
        .order(user_groups::name.asc())
        .select(Group::as_select())
        .load(conn)?)
}

pub fn update(
    conn: &mut DbConnection,
    id: &str,
    changes: &GroupChanges,
) -> Result<bool, StoreError> {
    if changes.name.is_none() && changes.description.is_none() {
        return Ok(find(conn, id)?.is_some());
    }
    Ok(diesel::update(user_groups::table.find(id))
        .set(changes)
        .execute(conn)?
        == 1)
}

pub fn delete(conn: &mut DbConnection, id: &str) -> Result<bool, StoreError> {
    Ok(diesel::delete(user_groups::table.find(id)).execute(conn)? == 1)
}

/// Add a member; adding an existing member is not an error (PUT is idempotent).
pub fn add_member(
    conn: &mut DbConnection,
    group_id: &str,
    user_id: &str,
) -> Result<(), StoreError> {
    if is_member(conn, group_id, user_id)? {
        return Ok(());
    }
    match diesel::insert_into(group_members::table)
        .values((
            group_members::group_id.eq(group_id),
            group_members::user_id.eq(user_id),
        ))
        .execute(conn)
    {
        Ok(_) => Ok(()),
        // A concurrent PUT added it between our check and insert: same outcome.
        Err(e) => match StoreError::from(e) {
            StoreError::UniqueViolation => Ok(()),
            other => Err(other),
        },
    }
}

pub fn is_member(
    conn: &mut DbConnection,
    group_id: &str,
    user_id: &str,
) -> Result<bool, StoreError> {
    let n: i64 = group_members::table
        .filter(group_members::group_id.eq(group_id))
        .filter(group_members::user_id.eq(user_id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

pub fn remove_member(
    conn: &mut DbConnection,
    group_id: &str,
    user_id: &str,
) -> Result<bool, StoreError> {
    Ok(diesel::delete(
        group_members::table
            .filter(group_members::group_id.eq(group_id))
            .filter(group_members::user_id.eq(user_id)),
    )
    .execute(conn)?
        == 1)
}

/// The ids of the group's members.
pub fn member_ids(conn: &mut DbConnection, group_id: &str) -> Result<Vec<String>, StoreError> {
    Ok(group_members::table
        .filter(group_members::group_id.eq(group_id))
        .order(group_members::user_id.asc())
        .select(group_members::user_id)
        .load(conn)?)
}
