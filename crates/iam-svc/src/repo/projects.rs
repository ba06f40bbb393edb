//! Projects.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use service_kit::db::{DbConnection, StoreError};

use crate::schema::projects;

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = projects)]
pub struct Project {
    pub id: String,
    pub domain_id: String,
    pub parent_id: Option<String>,
    pub name: String,
    pub description: String,
    pub enabled: bool,
    #[diesel(deserialize_as = service_kit::db::Timestamp)]
    pub created_at: NaiveDateTime,
}

#[derive(Default, AsChangeset)]
#[diesel(table_name = projects)]
pub struct ProjectChanges {
    pub name: Option<String>,
    pub description: Option<String>,
}

/// Filters of `GET /v3/projects`.
#[derive(Default)]
pub struct ProjectFilter {
    pub name: Option<String>,
    pub parent_id: Option<String>,
    pub enabled: Option<bool>,
    pub ids: Option<Vec<String>>,
}

impl ProjectFilter {
    fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.parent_id.is_none()
            && self.enabled.is_none()
            && self.ids.is_none()
    }
}

pub fn insert(conn: &mut DbConnection, row: &Project) -> Result<(), StoreError> {
    diesel::insert_into(projects::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: &str) -> Result<Option<Project>, StoreError> {
    Ok(projects::table
        .find(id)
        .select(Project::as_select())
        .first(conn)
        .optional()?)
}

pub fn find_by_name(
    conn: &mut DbConnection,
    domain_id: &str,
    name: &str,
) -> Result<Option<Project>, StoreError> {
    Ok(projects::table
        .filter(projects::domain_id.eq(domain_id))
        .filter(projects::name.eq(name))
        .select(Project::as_select())
        .first(conn)
        .optional()?)
}

pub fn list(
    conn: &mut DbConnection,
    domain_id: &str,
    f: &ProjectFilter,
) -> Result<Vec<Project>, StoreError> {
    let in_domain = projects::table.filter(projects::domain_id.eq(domain_id));
    if f.is_empty() {
        // The common call, every project of the domain, as a query type of its own: its
        // statement is then prepared once per connection instead of rendered every time.
        let in_order = in_domain.order(projects::name.asc());
        return Ok(service_kit::on_backend!(conn, |c| in_order
            .select(Project::as_select())
            .load(c))?);
    }
    let mut q = in_domain.into_boxed();
    if let Some(name) = &f.name {
        q = q.filter(projects::name.eq(name.clone()));
    }
    if let Some(parent) = &f.parent_id {
        q = q.filter(projects::parent_id.eq(parent.clone()));
    }
    if let Some(enabled) = f.enabled {
        q = q.filter(projects::enabled.eq(enabled));
    }
    if let Some(ids) = &f.ids {
        q = q.filter(projects::id.eq_any(ids.clone()));
    }
    Ok(q.order(projects::name.asc())
        .select(Project::as_select())
        .load(conn)?)
}

pub fn update(
    conn: &mut DbConnection,
    id: &str,
    changes: &ProjectChanges,
) -> Result<bool, StoreError> {
    if changes.name.is_none() && changes.description.is_none() {
        return Ok(find(conn, id)?.is_some());
    }
    Ok(diesel::update(projects::table.find(id))
        .set(changes)
        .execute(conn)?
        == 1)
}

/// Whether any project names `id` as its parent.
pub fn has_children(conn: &mut DbConnection, id: &str) -> Result<bool, StoreError> {
    Ok(diesel::select(diesel::dsl::exists(
        projects::table.filter(projects::parent_id.eq(id)),
    ))
    .get_result(conn)?)
}

/// Returns false when no such project exists. Its grants go with it (ON DELETE CASCADE).
pub fn delete(conn: &mut DbConnection, id: &str) -> Result<bool, StoreError> {
    Ok(diesel::delete(projects::table.find(id)).execute(conn)? == 1)
}
