//! Diesel queries for instances and their tags. Every read is filtered by the project (or
//! reads an instance found that way), so another project's instance is never seen.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use service_kit::db::{DbConnection, StoreError};

use crate::instances::query::Page;
use crate::schema::{instance_tags, instances, issuances};

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
    pub enterprise_project_id: String,
    pub shared: bool,
    /// The vendor's `CreateSpec` list, as JSON.
    pub specs: String,
    #[diesel(deserialize_as = service_kit::db::Timestamp)]
    pub updated_at: NaiveDateTime,
    /// Since when the instance is in the recycle bin; `None`: it is not.
    pub recycled_at: Option<NaiveDateTime>,
}

/// One tag of an instance.
#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = instance_tags)]
pub struct TagRow {
    pub instance_id: String,
    pub tag_key: String,
    pub tag_value: String,
}

/// A new instance and its tags.
pub fn insert_instance(
    conn: &mut DbConnection,
    row: &Instance,
    tags: &[TagRow],
) -> Result<(), StoreError> {
    diesel::insert_into(instances::table)
        .values(row)
        .execute(conn)?;
    // One statement per tag: the backends batch inserts differently, and there are at
    // most 20.
    for tag in tags {
        diesel::insert_into(instance_tags::table)
            .values(tag)
            .execute(conn)?;
    }
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

/// The tags of the instances `ids`, by instance then key.
pub fn tags_of(conn: &mut DbConnection, ids: &[String]) -> Result<Vec<TagRow>, StoreError> {
    Ok(instance_tags::table
        .filter(instance_tags::instance_id.eq_any(ids))
        .order((
            instance_tags::instance_id.asc(),
            instance_tags::tag_key.asc(),
        ))
        .select(TagRow::as_select())
        .load(conn)?)
}

/// One page of the project's instances that `page` selects, oldest first, and how many
/// it selects in all.
pub fn instances_page(
    conn: &mut DbConnection,
    project_id: &str,
    page: &Page,
) -> Result<(Vec<Instance>, i64), StoreError> {
    let filtered = || {
        let mut q = instances::table
            .filter(instances::project_id.eq(project_id.to_string()))
            .into_boxed();
        q = if page.in_recycle_bin {
            q.filter(instances::recycled_at.is_not_null())
        } else {
            q.filter(instances::recycled_at.is_null())
        };
        if let Some(name) = &page.name {
            q = q.filter(instances::name.eq(name.clone()));
        }
        if let Some(eps) = &page.enterprise_project_id {
            q = q.filter(instances::enterprise_project_id.eq(eps.clone()));
        }
        for tag in &page.tags {
            let keyed = instance_tags::table
                .filter(instance_tags::tag_key.eq(tag.key.clone()))
                .select(instance_tags::instance_id);
            q = match &tag.value {
                Some(value) => q.filter(
                    instances::id.eq_any(keyed.filter(instance_tags::tag_value.eq(value.clone()))),
                ),
                None => q.filter(instances::id.eq_any(keyed)),
            };
        }
        q
    };
    let total = filtered().count().get_result(conn)?;
    let rows = filtered()
        .order((instances::created_at.asc(), instances::id.asc()))
        .offset(page.offset)
        .limit(page.limit)
        .select(Instance::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// A new name and description of instance `id`, changed at `at`.
pub fn rename_instance(
    conn: &mut DbConnection,
    id: &str,
    name: &str,
    description: &str,
    at: NaiveDateTime,
) -> Result<(), StoreError> {
    diesel::update(instances::table.find(id))
        .set((
            instances::name.eq(name),
            instances::description.eq(description),
            instances::updated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Move instance `id` into the recycle bin (`recycled_at` set) or out of it (`None`),
/// with the status that goes with it.
pub fn set_recycled(
    conn: &mut DbConnection,
    id: &str,
    recycled_at: Option<NaiveDateTime>,
    status: &str,
    at: NaiveDateTime,
) -> Result<(), StoreError> {
    diesel::update(instances::table.find(id))
        .set((
            instances::recycled_at.eq(recycled_at),
            instances::status.eq(status),
            instances::updated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Revoke at `at` every live credential issued through instance `id`: a key must not
/// outlive the instance that vouched for it, nor serve while it is in the recycle bin.
pub fn revoke_issued_through(
    conn: &mut DbConnection,
    id: &str,
    at: NaiveDateTime,
) -> Result<usize, StoreError> {
    Ok(diesel::update(
        issuances::table
            .filter(issuances::instance_id.eq(id))
            .filter(issuances::revoked_at.is_null()),
    )
    .set(issuances::revoked_at.eq(Some(at)))
    .execute(conn)?)
}

/// Delete an instance and its tags, revoking every credential issued through it. The row
/// goes before the revocation: a credential being recorded through the instance holds
/// the row ([`hold_instance`]), so it is committed, and revoked here, first.
pub fn delete_instance(
    conn: &mut DbConnection,
    id: &str,
    at: NaiveDateTime,
) -> Result<bool, StoreError> {
    diesel::delete(instance_tags::table.filter(instance_tags::instance_id.eq(id))).execute(conn)?;
    let deleted = diesel::delete(instances::table.find(id)).execute(conn)? == 1;
    revoke_issued_through(conn, id, at)?;
    Ok(deleted)
}

/// Hold the project's instance `id` until the transaction ends (a row lock on
/// PostgreSQL; SQLite runs one write at a time anyway), so that no recycle or delete of
/// it commits in between. Reads after it see the row as last committed.
pub fn hold_instance(
    conn: &mut DbConnection,
    project_id: &str,
    id: &str,
) -> Result<(), StoreError> {
    diesel::update(
        instances::table
            .find(id)
            .filter(instances::project_id.eq(project_id)),
    )
    .set(instances::status.eq(instances::status))
    .execute(conn)?;
    Ok(())
}
