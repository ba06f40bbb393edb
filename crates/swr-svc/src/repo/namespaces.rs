//! Namespaces: the tenancy of repositories. A namespace belongs to one instance; its name
//! is unique per registry service (a database constraint), and a deleted one stays as a
//! tombstone that keeps its name, so the images the registry still holds under it never
//! open to another instance.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use service_kit::db::{DbConnection, StoreError};
use service_kit::registry::NamespaceRecord;

use crate::repo::instances::REVOKED;
use crate::schema::{instances, namespaces};

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = namespaces)]
pub struct Namespace {
    pub id: i64,
    pub instance_id: String,
    pub registry_service: String,
    pub name: String,
    pub public: bool,
    #[diesel(deserialize_as = service_kit::db::Timestamp)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = service_kit::db::Timestamp)]
    pub updated_at: NaiveDateTime,
}

/// What a create asks for.
pub struct NewNamespace<'a> {
    pub instance_id: &'a str,
    pub registry_service: &'a str,
    pub name: &'a str,
    pub public: bool,
}

/// The column a list is ordered by; the id breaks ties, so pages never overlap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrderColumn {
    Name,
    CreatedAt,
    UpdatedAt,
}

/// What a list asks for: filters, order and page.
#[derive(Clone, Debug)]
pub struct ListQuery {
    /// Names containing this text.
    pub name_contains: Option<String>,
    pub public: Option<bool>,
    pub order: OrderColumn,
    pub descending: bool,
    pub offset: i64,
    pub limit: i64,
}

/// Create the namespace, or take back the instance's own deleted namespace of that name;
/// `Ok(None)` when the name is taken in the registry service, live or deleted, by this
/// instance or another. Runs in a write transaction: taking back comes first, so a
/// failed insert (the unique constraint) ends the unit of work and nothing after it runs.
pub fn create(
    conn: &mut DbConnection,
    new: &NewNamespace<'_>,
    now: NaiveDateTime,
) -> Result<Option<Namespace>, StoreError> {
    let own_tombstone = namespaces::table
        .filter(namespaces::registry_service.eq(new.registry_service))
        .filter(namespaces::name.eq(new.name))
        .filter(namespaces::instance_id.eq(new.instance_id))
        .filter(namespaces::deleted_at.is_not_null());
    let revived = diesel::update(own_tombstone)
        .set((
            namespaces::deleted_at.eq(None::<NaiveDateTime>),
            namespaces::public.eq(new.public),
            namespaces::created_at.eq(now),
            namespaces::updated_at.eq(now),
        ))
        .execute(conn)?;
    if revived == 0 {
        let inserted = diesel::insert_into(namespaces::table)
            .values((
                namespaces::instance_id.eq(new.instance_id),
                namespaces::registry_service.eq(new.registry_service),
                namespaces::name.eq(new.name),
                namespaces::public.eq(new.public),
                namespaces::created_at.eq(now),
                namespaces::updated_at.eq(now),
            ))
            .execute(conn);
        match inserted {
            Ok(_) => {}
            Err(e) => match StoreError::from(e) {
                StoreError::UniqueViolation => return Ok(None),
                other => return Err(other),
            },
        }
    }
    find(conn, new.instance_id, new.name)
}

/// The instance's live namespace `name`.
pub fn find(
    conn: &mut DbConnection,
    instance_id: &str,
    name: &str,
) -> Result<Option<Namespace>, StoreError> {
    Ok(namespaces::table
        .filter(namespaces::instance_id.eq(instance_id))
        .filter(namespaces::name.eq(name))
        .filter(namespaces::deleted_at.is_null())
        .select(Namespace::as_select())
        .first(conn)
        .optional()?)
}

/// How many live namespaces the instance has.
pub fn count_live(conn: &mut DbConnection, instance_id: &str) -> Result<i64, StoreError> {
    Ok(namespaces::table
        .filter(namespaces::instance_id.eq(instance_id))
        .filter(namespaces::deleted_at.is_null())
        .count()
        .get_result(conn)?)
}

/// A page of the instance's live namespaces as `q` asks, and how many match in all.
pub fn page(
    conn: &mut DbConnection,
    instance_id: &str,
    q: &ListQuery,
) -> Result<(Vec<Namespace>, i64), StoreError> {
    let filtered = || {
        let mut query = namespaces::table
            .filter(namespaces::instance_id.eq(instance_id.to_string()))
            .filter(namespaces::deleted_at.is_null())
            .into_boxed();
        if let Some(text) = &q.name_contains {
            query = query.filter(namespaces::name.like(like_pattern(text)).escape('\\'));
        }
        if let Some(public) = q.public {
            query = query.filter(namespaces::public.eq(public));
        }
        query
    };
    let total = filtered().count().get_result(conn)?;
    let mut query = filtered();
    query = match (q.order, q.descending) {
        (OrderColumn::Name, false) => query.order(namespaces::name.asc()),
        (OrderColumn::Name, true) => query.order(namespaces::name.desc()),
        (OrderColumn::CreatedAt, false) => query.order(namespaces::created_at.asc()),
        (OrderColumn::CreatedAt, true) => query.order(namespaces::created_at.desc()),
        (OrderColumn::UpdatedAt, false) => query.order(namespaces::updated_at.asc()),
        (OrderColumn::UpdatedAt, true) => query.order(namespaces::updated_at.desc()),
    };
    let query = if q.descending {
        query.then_order_by(namespaces::id.desc())
    } else {
        query.then_order_by(namespaces::id.asc())
    };
    let rows = query
        .offset(q.offset)
        .limit(q.limit)
        .select(Namespace::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// `%text%`, with LIKE's wildcards in `text` (`_` is allowed in names) taken literally.
fn like_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// Set whether the instance's live namespace `name` is public; false when there is none.
pub fn set_public(
    conn: &mut DbConnection,
    instance_id: &str,
    name: &str,
    public: bool,
    now: NaiveDateTime,
) -> Result<bool, StoreError> {
    let live = namespaces::table
        .filter(namespaces::instance_id.eq(instance_id))
        .filter(namespaces::name.eq(name))
        .filter(namespaces::deleted_at.is_null());
    Ok(diesel::update(live)
        .set((
            namespaces::public.eq(public),
            namespaces::updated_at.eq(now),
        ))
        .execute(conn)?
        == 1)
}

/// Delete the instance's live namespace `name`, keeping its row (and so its name) as a
/// tombstone; false when there is none.
pub fn tombstone(
    conn: &mut DbConnection,
    instance_id: &str,
    name: &str,
    now: NaiveDateTime,
) -> Result<bool, StoreError> {
    let live = namespaces::table
        .filter(namespaces::instance_id.eq(instance_id))
        .filter(namespaces::name.eq(name))
        .filter(namespaces::deleted_at.is_null());
    Ok(diesel::update(live)
        .set((
            namespaces::deleted_at.eq(now),
            namespaces::updated_at.eq(now),
        ))
        .execute(conn)?
        == 1)
}

/// Tombstone every live namespace of a deleted instance; returns how many.
pub fn tombstone_instance(
    conn: &mut DbConnection,
    instance_id: &str,
    now: NaiveDateTime,
) -> Result<usize, StoreError> {
    let live = namespaces::table
        .filter(namespaces::instance_id.eq(instance_id))
        .filter(namespaces::deleted_at.is_null());
    Ok(diesel::update(live)
        .set((
            namespaces::deleted_at.eq(now),
            namespaces::updated_at.eq(now),
        ))
        .execute(conn)?)
}

/// The live namespaces called `names` of live instances of the registry `service`, for a
/// registry login to decide what it grants: one statement per login.
pub fn login_records(
    conn: &mut DbConnection,
    service: &str,
    names: &[String],
) -> Result<Vec<NamespaceRecord>, StoreError> {
    let live = namespaces::table
        .inner_join(instances::table)
        .filter(namespaces::registry_service.eq(service))
        .filter(namespaces::deleted_at.is_null())
        .filter(instances::registry_service.eq(service))
        .filter(instances::status.ne(REVOKED))
        .select((
            namespaces::name,
            namespaces::instance_id,
            namespaces::public,
        ));
    // Most logins name one repository: a query of fixed shape is prepared once per
    // connection, where `IN (...)` is rendered and prepared again on every login.
    let rows: Vec<(String, String, bool)> = match names {
        [] => Vec::new(),
        [one] => {
            let query = live.filter(namespaces::name.eq(one));
            service_kit::on_backend!(conn, |c| query.load(c))?
        }
        _ => {
            let query = live.filter(namespaces::name.eq_any(names));
            service_kit::on_backend!(conn, |c| query.load(c))?
        }
    };
    Ok(rows
        .into_iter()
        .map(|(name, owner, public)| NamespaceRecord {
            name,
            owner,
            public,
        })
        .collect())
}

/// Point every namespace at the configured registry `service`, as
/// `repo::instances::assign_registry` does their instances; returns how many changed.
/// Every row moves together, so names unique under one service stay unique.
pub fn assign_service(conn: &mut DbConnection, service: &str) -> Result<usize, StoreError> {
    Ok(
        diesel::update(namespaces::table.filter(namespaces::registry_service.ne(service)))
            .set(namespaces::registry_service.eq(service))
            .execute(conn)?,
    )
}
