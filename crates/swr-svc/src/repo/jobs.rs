//! Jobs: what the API did to an instance (its creation, its deletion) and how it ended.
//! Each belongs to one project and outlives its instance until deleted.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use service_kit::db::{DbConnection, StoreError};

use crate::schema::jobs;

pub const CREATE_INSTANCE: &str = "CreateInstance";
pub const DELETE_INSTANCE: &str = "DeleteInstance";
/// Every job finishes inside the request that starts it: one that could not finish
/// rolls back with its request and leaves no job.
pub const SUCCESS: &str = "Success";

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = jobs)]
pub struct Job {
    pub id: String,
    pub project_id: String,
    pub instance_id: String,
    pub kind: String,
    pub status: String,
    pub reason: String,
    /// The instance's name when the job ran.
    pub resource_name: String,
    #[diesel(deserialize_as = service_kit::db::Timestamp)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = service_kit::db::Timestamp)]
    pub updated_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, row: &Job) -> Result<(), StoreError> {
    diesel::insert_into(jobs::table).values(row).execute(conn)?;
    Ok(())
}

/// The project's job `id`.
pub fn find(
    conn: &mut DbConnection,
    project_id: &str,
    id: &str,
) -> Result<Option<Job>, StoreError> {
    Ok(jobs::table
        .find(id)
        .filter(jobs::project_id.eq(project_id))
        .select(Job::as_select())
        .first(conn)
        .optional()?)
}

/// A page of the project's jobs (those in `status`, when given), oldest first with the id
/// as tie-breaker, and how many match in all.
pub fn page(
    conn: &mut DbConnection,
    project_id: &str,
    status: Option<&str>,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Job>, i64), StoreError> {
    let filtered = || {
        let mut q = jobs::table
            .filter(jobs::project_id.eq(project_id.to_string()))
            .into_boxed();
        if let Some(status) = status {
            q = q.filter(jobs::status.eq(status.to_string()));
        }
        q
    };
    let total = filtered().count().get_result(conn)?;
    let rows = filtered()
        .order((jobs::created_at.asc(), jobs::id.asc()))
        .offset(offset)
        .limit(limit)
        .select(Job::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// Delete the project's job `id`; whether there was one.
pub fn delete(conn: &mut DbConnection, project_id: &str, id: &str) -> Result<bool, StoreError> {
    Ok(
        diesel::delete(jobs::table.find(id).filter(jobs::project_id.eq(project_id)))
            .execute(conn)?
            == 1,
    )
}
