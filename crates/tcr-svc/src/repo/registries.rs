//! Registries; each belongs to one account (iam-svc domain).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use service_kit::db::{DbConnection, StoreError};

use crate::schema::{namespaces, registries, service_accounts};

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = registries)]
pub struct Registry {
    pub id: String,
    pub domain_id: String,
    pub name: String,
    pub registry_type: String,
    pub region: String,
    pub status: String,
    pub registry_service: String,
    pub registry_address: String,
    #[diesel(deserialize_as = service_kit::db::Timestamp)]
    pub created_at: NaiveDateTime,
    /// The cloud tags, as a JSON list of `{"Key", "Value"}`.
    pub tags: String,
}

pub fn insert(conn: &mut DbConnection, row: &Registry) -> Result<(), StoreError> {
    diesel::insert_into(registries::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// The registry, if it belongs to the account; other accounts' registries do not exist.
pub fn find_in_account(
    conn: &mut DbConnection,
    domain_id: &str,
    id: &str,
) -> Result<Option<Registry>, StoreError> {
    Ok(registries::table
        .find(id)
        .filter(registries::domain_id.eq(domain_id))
        .select(Registry::as_select())
        .first(conn)
        .optional()?)
}

/// Whether the account has the registry: one `EXISTS`, prepared on the backend's
/// connection, as every token create runs it (on SQLite, in the one writer).
pub fn exists_in_account(
    conn: &mut DbConnection,
    domain_id: &str,
    id: &str,
) -> Result<bool, StoreError> {
    let query = diesel::select(diesel::dsl::exists(
        registries::table
            .find(id)
            .filter(registries::domain_id.eq(domain_id)),
    ));
    Ok(service_kit::on_backend!(conn, |c| query.get_result(c))?)
}

/// The registry, if it belongs to the account, locked until the transaction ends on
/// PostgreSQL: what is created in it is not lost to a delete of the registry running at
/// the same time, which takes the same row.
pub fn find_in_account_locked(
    conn: &mut DbConnection,
    domain_id: &str,
    id: &str,
) -> Result<Option<Registry>, StoreError> {
    Ok(service_kit::first_locked!(
        conn,
        registries::table
            .find(id)
            .filter(registries::domain_id.eq(domain_id))
            .select(Registry::as_select())
    )?)
}

pub fn find(conn: &mut DbConnection, id: &str) -> Result<Option<Registry>, StoreError> {
    Ok(registries::table
        .find(id)
        .select(Registry::as_select())
        .first(conn)
        .optional()?)
}

/// Those of the registries `ids` that belong to the account, oldest first.
pub fn of_account_among(
    conn: &mut DbConnection,
    domain_id: &str,
    ids: &[String],
) -> Result<Vec<Registry>, StoreError> {
    Ok(registries::table
        .filter(registries::domain_id.eq(domain_id))
        .filter(registries::id.eq_any(ids))
        .order((registries::created_at.asc(), registries::id.asc()))
        .select(Registry::as_select())
        .load(conn)?)
}

/// Whether a registry of the account is named `name`.
pub fn name_taken(
    conn: &mut DbConnection,
    domain_id: &str,
    name: &str,
) -> Result<bool, StoreError> {
    Ok(diesel::select(diesel::dsl::exists(
        registries::table
            .filter(registries::domain_id.eq(domain_id))
            .filter(registries::name.eq(name)),
    ))
    .get_result(conn)?)
}

/// What `DescribeInstances` may filter on.
#[derive(Default)]
pub struct Filter {
    pub ids: Option<Vec<String>>,
    pub names: Option<Vec<String>>,
    /// This region's registries only.
    pub region: Option<String>,
}

/// A page of the account's registries, oldest first, and the total.
pub fn page(
    conn: &mut DbConnection,
    domain_id: &str,
    filter: &Filter,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Registry>, i64), StoreError> {
    let filtered = || {
        let mut q = registries::table
            .filter(registries::domain_id.eq(domain_id.to_string()))
            .into_boxed();
        if let Some(ids) = &filter.ids {
            q = q.filter(registries::id.eq_any(ids.clone()));
        }
        if let Some(names) = &filter.names {
            q = q.filter(registries::name.eq_any(names.clone()));
        }
        if let Some(region) = &filter.region {
            q = q.filter(registries::region.eq(region.clone()));
        }
        q
    };
    let total = filtered().count().get_result(conn)?;
    let rows = filtered()
        .order((registries::created_at.asc(), registries::id.asc()))
        .offset(offset)
        .limit(limit)
        .select(Registry::as_select())
        .load(conn)?;
    Ok((rows, total))
}

pub fn delete(conn: &mut DbConnection, id: &str) -> Result<bool, StoreError> {
    Ok(diesel::delete(registries::table.find(id)).execute(conn)? == 1)
}

/// Take the registry row before deleting one of its tokens, whose trigger updates the
/// row's count, as deleting the registry takes it before its tokens: PostgreSQL locks it
/// until the transaction ends; SQLite writers are already serialised by `BEGIN IMMEDIATE`.
pub fn lock(conn: &mut DbConnection, id: &str) -> Result<(), StoreError> {
    if let DbConnection::Postgresql(pg) = conn {
        // Through diesel's DSL, so PostgreSQL keeps it prepared (raw SQL is parsed and
        // planned again on every call).
        registries::table
            .find(id)
            .select(registries::id)
            .for_update()
            .execute(pg)?;
    }
    Ok(())
}

/// Put every registry on the configured registry `service` at `address`, with its
/// namespaces and service accounts: the operator's setting decides which registry a
/// record fronts, never a caller. How many registries changed; running it again changes
/// nothing. A name two registries held on different services and now would share is a
/// `UniqueViolation`, and nothing changes.
pub fn assign_service(
    conn: &mut DbConnection,
    service: &str,
    address: &str,
) -> Result<usize, StoreError> {
    service_kit::db::write_transaction(conn, |conn| {
        let moved = diesel::update(
            registries::table.filter(
                registries::registry_service
                    .ne(service)
                    .or(registries::registry_address.ne(address)),
            ),
        )
        .set((
            registries::registry_service.eq(service),
            registries::registry_address.eq(address),
        ))
        .execute(conn)?;
        diesel::update(namespaces::table.filter(namespaces::registry_service.ne(service)))
            .set(namespaces::registry_service.eq(service))
            .execute(conn)?;
        diesel::update(
            service_accounts::table.filter(service_accounts::registry_service.ne(service)),
        )
        .set(service_accounts::registry_service.eq(service))
        .execute(conn)?;
        Ok(moved)
    })
}
