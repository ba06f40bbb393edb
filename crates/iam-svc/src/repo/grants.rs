//! Role grants of groups on projects and domains, and the roles a user ends up with.

use diesel::prelude::*;
use diesel::sql_types::Bool;
use service_kit::db::{DbConnection, StoreError};

use super::roles::Role;
use crate::schema::{domain_grants, group_members, project_grants, projects, roles};

/// Where a grant applies.
#[derive(Clone, Copy, Debug)]
pub enum Target<'a> {
    Project(&'a str),
    Domain(&'a str),
}

pub fn grant(
    conn: &mut DbConnection,
    target: Target,
    group_id: &str,
    role_id: &str,
) -> Result<(), StoreError> {
    if has_grant(conn, target, group_id, role_id)? {
        return Ok(());
    }
    let inserted = match target {
        Target::Project(p) => diesel::insert_into(project_grants::table)
            .values((
                project_grants::project_id.eq(p),
                project_grants::group_id.eq(group_id),
                project_grants::role_id.eq(role_id),
            ))
            .execute(conn),
        Target::Domain(d) => diesel::insert_into(domain_grants::table)
            .values((
                domain_grants::domain_id.eq(d),
                domain_grants::group_id.eq(group_id),
                domain_grants::role_id.eq(role_id),
            ))
            .execute(conn),
    };
    match inserted.map_err(StoreError::from) {
        Ok(_) | Err(StoreError::UniqueViolation) => Ok(()),
        Err(e) => Err(e),
    }
}

pub fn has_grant(
    conn: &mut DbConnection,
    target: Target,
    group_id: &str,
    role_id: &str,
) -> Result<bool, StoreError> {
    let n: i64 = match target {
        Target::Project(p) => project_grants::table
            .filter(project_grants::project_id.eq(p))
            .filter(project_grants::group_id.eq(group_id))
            .filter(project_grants::role_id.eq(role_id))
            .count()
            .get_result(conn)?,
        Target::Domain(d) => domain_grants::table
            .filter(domain_grants::domain_id.eq(d))
            .filter(domain_grants::group_id.eq(group_id))
            .filter(domain_grants::role_id.eq(role_id))
            .count()
            .get_result(conn)?,
    };
    Ok(n > 0)
}

pub fn revoke(
    conn: &mut DbConnection,
    target: Target,
    group_id: &str,
    role_id: &str,
) -> Result<bool, StoreError> {
    let n = match target {
        Target::Project(p) => diesel::delete(
            project_grants::table
                .filter(project_grants::project_id.eq(p))
                .filter(project_grants::group_id.eq(group_id))
                .filter(project_grants::role_id.eq(role_id)),
        )
        .execute(conn)?,
        Target::Domain(d) => diesel::delete(
            domain_grants::table
                .filter(domain_grants::domain_id.eq(d))
                .filter(domain_grants::group_id.eq(group_id))
                .filter(domain_grants::role_id.eq(role_id)),
        )
        .execute(conn)?,
    };
    Ok(n == 1)
}

/// Roles granted to one group on the target.
pub fn roles_of_group(
    conn: &mut DbConnection,
    target: Target,
    group_id: &str,
) -> Result<Vec<Role>, StoreError> {
    Ok(match target {
        Target::Project(p) => roles::table
            .inner_join(project_grants::table)
            .filter(project_grants::project_id.eq(p))
            .filter(project_grants::group_id.eq(group_id))
            .order(roles::name.asc())
            .select(Role::as_select())
            .load(conn)?,
        Target::Domain(d) => roles::table
            .inner_join(domain_grants::table)
            .filter(domain_grants::domain_id.eq(d))
            .filter(domain_grants::group_id.eq(group_id))
            .order(roles::name.asc())
            .select(Role::as_select())
            .load(conn)?,
    })
}

/// A [`Role`]'s columns, in its fields' order: `as_select()` would tie a query to one
/// backend, and these run on the backend's own connection.
const ROLE_COLUMNS: (
    roles::id,
    roles::name,
    roles::display_name,
    roles::description,
) = (
    roles::id,
    roles::name,
    roles::display_name,
    roles::description,
);

/// Roles a user holds on the domain through their groups.
pub fn user_domain_roles(
    conn: &mut DbConnection,
    user_id: &str,
    domain_id: &str,
) -> Result<Vec<Role>, StoreError> {
    // Joins rather than `IN (subquery)`, as in `project_scope`.
    let query = group_members::table
        .inner_join(domain_grants::table.on(domain_grants::group_id.eq(group_members::group_id)))
        .inner_join(roles::table.on(roles::id.eq(domain_grants::role_id)))
        .filter(group_members::user_id.eq(user_id))
        .filter(domain_grants::domain_id.eq(domain_id))
        .select(ROLE_COLUMNS);
    let mut found: Vec<Role> = service_kit::on_backend!(conn, |c| query.load(c))?;
    dedup(&mut found);
    Ok(found)
}

/// Whether the user holds the role named `role_name` on the domain through a group: one
/// `EXISTS`, for checks that need a yes or no rather than the roles.
pub fn holds_domain_role(
    conn: &mut DbConnection,
    user_id: &str,
    domain_id: &str,
    role_name: &str,
) -> Result<bool, StoreError> {
    let query = diesel::select(diesel::dsl::exists(
        group_members::table
            .inner_join(
                domain_grants::table.on(domain_grants::group_id.eq(group_members::group_id)),
            )
            .inner_join(roles::table.on(roles::id.eq(domain_grants::role_id)))
            .filter(group_members::user_id.eq(user_id))
            .filter(domain_grants::domain_id.eq(domain_id))
            .filter(roles::name.eq(role_name)),
    ));
    Ok(service_kit::on_backend!(conn, |c| query.get_result(c))?)
}

/// Roles a user holds on the project: grants on the project plus grants on its domain,
/// which (as with Huawei's admin group) apply to every project of the domain.
pub fn user_project_roles(
    conn: &mut DbConnection,
    user_id: &str,
    project_id: &str,
    domain_id: &str,
) -> Result<Vec<Role>, StoreError> {
    let query = group_members::table
        .inner_join(project_grants::table.on(project_grants::group_id.eq(group_members::group_id)))
        .inner_join(roles::table.on(roles::id.eq(project_grants::role_id)))
        .filter(group_members::user_id.eq(user_id))
        .filter(project_grants::project_id.eq(project_id))
        .select(ROLE_COLUMNS);
    let mut found: Vec<Role> = service_kit::on_backend!(conn, |c| query.load(c))?;
    found.extend(user_domain_roles(conn, user_id, domain_id)?);
    dedup(&mut found);
    Ok(found)
}

/// For a signature check, in one statement: the name of the project if it is an enabled
/// project of `domain_id`, with the names of the roles the user holds on it (as
/// [`user_project_roles`]: project grants plus grants on the domain), sorted. `None` when
/// there is no such project.
///
/// Joins rather than `IN (subquery)`: SQLite builds a temporary table for every `IN` list,
/// which cost more than the lookups themselves.
pub fn project_scope(
    conn: &mut DbConnection,
    user_id: &str,
    project_id: &str,
    domain_id: &str,
) -> Result<Option<(String, Vec<String>)>, StoreError> {
    // (true, project name) if the project is in reach, then (false, role name) per grant.
    let project = projects::table
        .filter(projects::id.eq(project_id))
        .filter(projects::domain_id.eq(domain_id))
        .filter(projects::enabled)
        .select((true.into_sql::<Bool>(), projects::name));
    let on_project = group_members::table
        .inner_join(project_grants::table.on(project_grants::group_id.eq(group_members::group_id)))
        .inner_join(roles::table.on(roles::id.eq(project_grants::role_id)))
        .filter(group_members::user_id.eq(user_id))
        .filter(project_grants::project_id.eq(project_id))
        .select((false.into_sql::<Bool>(), roles::name));
    let on_domain = group_members::table
        .inner_join(domain_grants::table.on(domain_grants::group_id.eq(group_members::group_id)))
        .inner_join(roles::table.on(roles::id.eq(domain_grants::role_id)))
        .filter(group_members::user_id.eq(user_id))
        .filter(domain_grants::domain_id.eq(domain_id))
        .select((false.into_sql::<Bool>(), roles::name));
    let query = project.union_all(on_project).union_all(on_domain);
    let rows: Vec<(bool, String)> = service_kit::on_backend!(conn, |c| query.load(c))?;
    let mut name = None;
    let mut roles = Vec::new();
    for (is_project, text) in rows {
        if is_project {
            name = Some(text);
        } else {
            roles.push(text);
        }
    }
    roles.sort();
    roles.dedup();
    Ok(name.map(|name| (name, roles)))
}

/// The names of the roles a user holds on the domain (as [`user_domain_roles`]), sorted,
/// for a signature check.
pub fn domain_role_names(
    conn: &mut DbConnection,
    user_id: &str,
    domain_id: &str,
) -> Result<Vec<String>, StoreError> {
    // Role names are unique, and `user_domain_roles` comes sorted by name and deduplicated.
    Ok(user_domain_roles(conn, user_id, domain_id)?
        .into_iter()
        .map(|role| role.name)
        .collect())
}

/// Projects on which the user holds any role directly through a project grant.
pub fn user_project_ids(conn: &mut DbConnection, user_id: &str) -> Result<Vec<String>, StoreError> {
    let groups = group_members::table
        .filter(group_members::user_id.eq(user_id))
        .select(group_members::group_id);
    let mut ids: Vec<String> = project_grants::table
        .filter(project_grants::group_id.eq_any(groups))
        .select(project_grants::project_id)
        .load(conn)?;
    ids.sort();
    ids.dedup();
    Ok(ids)
}

fn dedup(roles: &mut Vec<Role>) {
    roles.sort_by(|a, b| a.name.cmp(&b.name));
    roles.dedup_by(|a, b| a.id == b.id);
}
