//! Registry instances; each belongs to one project.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use service_kit::db::{DbConnection, StoreError};

use crate::schema::{instance_tags, instances};

/// The status of an instance whose project was deleted: it is gone from the API and none
/// of its credentials log in (see `crate::revocation`).
pub const REVOKED: &str = "Revoked";

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = instances)]
pub struct Instance {
    pub id: String,
    pub project_id: String,
    pub name: String,
    pub description: String,
    pub spec: String,
    pub status: String,
    pub charge_mode: String,
    pub vpc_id: String,
    pub subnet_id: String,
    pub enterprise_project_id: String,
    pub registry_service: String,
    pub registry_address: String,
    pub created_by: String,
    #[diesel(deserialize_as = service_kit::db::Timestamp)]
    pub created_at: NaiveDateTime,
    /// When it last changed: its creation, or its registry's move at a start.
    #[diesel(deserialize_as = service_kit::db::Timestamp)]
    pub updated_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, row: &Instance) -> Result<(), StoreError> {
    diesel::insert_into(instances::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Store the instance's resource tags, `(key, value)` in the order given.
pub fn insert_tags(
    conn: &mut DbConnection,
    instance_id: &str,
    tags: &[(String, String)],
) -> Result<(), StoreError> {
    for (position, (key, value)) in (0i32..).zip(tags) {
        diesel::insert_into(instance_tags::table)
            .values((
                instance_tags::instance_id.eq(instance_id),
                instance_tags::position.eq(position),
                instance_tags::tag_key.eq(key),
                instance_tags::tag_value.eq(value),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The instance's resource tags, `(key, value)` in the order given.
pub fn tags(
    conn: &mut DbConnection,
    instance_id: &str,
) -> Result<Vec<(String, String)>, StoreError> {
    Ok(instance_tags::table
        .filter(instance_tags::instance_id.eq(instance_id))
        .order(instance_tags::position.asc())
        .select((instance_tags::tag_key, instance_tags::tag_value))
        .load(conn)?)
}

/// The instance, if it belongs to the project; other projects' instances do not exist.
pub fn find_in_project(
    conn: &mut DbConnection,
    project_id: &str,
    id: &str,
) -> Result<Option<Instance>, StoreError> {
    Ok(instances::table
        .find(id)
        .filter(instances::project_id.eq(project_id))
        .filter(instances::status.ne(REVOKED))
        .select(Instance::as_select())
        .first(conn)
        .optional()?)
}

/// Whether the project has the instance; on PostgreSQL it is then locked until the
/// transaction ends, in the same statement (see [`lock`]). A credential create takes its
/// instance so. Reads the id alone, as a query type of its own on the backend's
/// connection: it runs in SQLite's one writer, which every create waits for.
pub fn lock_in_project(
    conn: &mut DbConnection,
    project_id: &str,
    id: &str,
) -> Result<bool, StoreError> {
    let instance = instances::table
        .find(id)
        .filter(instances::project_id.eq(project_id))
        .filter(instances::status.ne(REVOKED))
        .select(instances::id);
    let found: Option<String> = service_kit::first_locked!(conn, instance)?;
    Ok(found.is_some())
}

/// The project's instance, if it has it; on PostgreSQL locked until the transaction ends,
/// in the same statement, so the instance cannot be deleted under a write that adds to it
/// (a namespace made meanwhile would outlive it, live).
pub fn find_locked_in_project(
    conn: &mut DbConnection,
    project_id: &str,
    id: &str,
) -> Result<Option<Instance>, StoreError> {
    // Written out in the macro: the selection's backend is each arm's own.
    Ok(service_kit::first_locked!(
        conn,
        instances::table
            .find(id)
            .filter(instances::project_id.eq(project_id))
            .filter(instances::status.ne(REVOKED))
            .select(Instance::as_select())
    )?)
}

/// Which of a project's instances a list shows: those in `status` and of
/// `enterprise_project_id`, each when given.
#[derive(Default)]
pub struct Filter<'a> {
    pub status: Option<&'a str>,
    pub enterprise_project_id: Option<&'a str>,
}

/// A page of the project's instances that pass `filter`, oldest first, and the total.
pub fn page(
    conn: &mut DbConnection,
    project_id: &str,
    filter: &Filter<'_>,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Instance>, i64), StoreError> {
    let filtered = || {
        let mut q = instances::table
            .filter(instances::project_id.eq(project_id.to_string()))
            .filter(instances::status.ne(REVOKED))
            .into_boxed();
        if let Some(status) = filter.status {
            q = q.filter(instances::status.eq(status.to_string()));
        }
        if let Some(enterprise_project) = filter.enterprise_project_id {
            q = q.filter(instances::enterprise_project_id.eq(enterprise_project.to_string()));
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

pub fn delete(conn: &mut DbConnection, id: &str) -> Result<bool, StoreError> {
    Ok(diesel::delete(instances::table.find(id)).execute(conn)? == 1)
}

/// Serialise credential quota checks and count updates on one instance: PostgreSQL locks
/// the instance row until the transaction ends; SQLite writers are already serialised by
/// `BEGIN IMMEDIATE`.
pub fn lock(conn: &mut DbConnection, id: &str) -> Result<(), StoreError> {
    if let DbConnection::Postgresql(pg) = conn {
        // Through diesel's DSL, so PostgreSQL keeps it prepared (raw SQL is parsed and
        // planned again on every call).
        instances::table
            .find(id)
            .select(instances::id)
            .for_update()
            .execute(pg)?;
    }
    Ok(())
}

/// Mark the project's instances created at or before `cutoff` revoked at `at`; returns
/// how many changed (none the second time).
pub fn revoke_project(
    conn: &mut DbConnection,
    project_id: &str,
    cutoff: NaiveDateTime,
    at: NaiveDateTime,
) -> Result<usize, StoreError> {
    Ok(diesel::update(
        instances::table
            .filter(instances::project_id.eq(project_id))
            .filter(instances::created_at.le(cutoff))
            .filter(instances::status.ne(REVOKED)),
    )
    .set((instances::status.eq(REVOKED), instances::updated_at.eq(at)))
    .execute(conn)?)
}

/// Point every instance at the configured registry (`registry.service`, `registry.address`)
/// at `now`; returns how many changed, none when they already do. Instances made while
/// callers could name a registry stop naming theirs. A moved instance's `updated_at` is
/// `now`: its `access_address` changed.
pub fn assign_registry(
    conn: &mut DbConnection,
    service: &str,
    address: &str,
    now: NaiveDateTime,
) -> Result<usize, StoreError> {
    let elsewhere = instances::table.filter(
        instances::registry_service
            .ne(service)
            .or(instances::registry_address.ne(address)),
    );
    Ok(diesel::update(elsewhere)
        .set((
            instances::registry_service.eq(service),
            instances::registry_address.eq(address),
            instances::updated_at.eq(now),
        ))
        .execute(conn)?)
}
