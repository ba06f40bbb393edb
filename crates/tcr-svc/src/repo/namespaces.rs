//! Namespaces: the tenancy of repositories. A namespace belongs to one registry; its name is
//! unique per registry service (a constraint), and a deleted one stays as a tombstone that
//! only its own registry may bring back.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use service_kit::db::{DbConnection, StoreError};
use service_kit::registry::NamespaceRecord;

use crate::schema::{namespaces, registries};

diesel::define_sql_function! {
    /// `replace(text, from, to)`: the same function, case-sensitive, on both backends.
    fn replace(text: Text, from: Text, to: Text) -> Text;
}

type Db = <DbConnection as diesel::Connection>::Backend;
type Condition = Box<dyn BoxableExpression<namespaces::table, Db, SqlType = Bool>>;

/// Which of a registry's namespaces a page lists.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// That name only.
    pub name: Option<String>,
    /// Sets of tags, each as its stored JSON element (`{"Key":..,"Value":..}`): a namespace
    /// is listed when it holds a tag of every set.
    pub tags: Vec<Vec<String>>,
}

/// Whether the namespace holds one of `elements` among its stored tags. A stored element
/// is found as a whole: the quotes around keys are never inside a JSON string, where they
/// are escaped.
fn holds_any(elements: &[String]) -> Condition {
    let holds = |element: &String| -> Condition {
        Box::new(replace(namespaces::tags, element.clone(), "").ne(namespaces::tags))
    };
    // False, for the tags to be ORed onto: an empty set lets nothing through.
    let mut any: Condition = Box::new(diesel::dsl::sql::<Bool>("1 = 0"));
    for element in elements {
        any = Box::new(any.or(holds(element)));
    }
    any
}

/// A namespace as stored.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = namespaces)]
pub struct Namespace {
    pub id: i64,
    pub registry_id: String,
    pub name: String,
    pub public: bool,
    pub auto_scan: bool,
    pub prevent_vul: bool,
    pub severity: String,
    /// JSON: `[{"CVEID": ...}]`.
    pub cve_whitelist: String,
    /// JSON: `[{"Key": ..., "Value": ...}]`.
    pub tags: String,
    #[diesel(deserialize_as = service_kit::db::Timestamp)]
    pub created_at: NaiveDateTime,
}

/// What a caller sets on a namespace, at creation (every column) or in a change (the
/// columns that are `Some`).
#[derive(Clone, Debug, Default, AsChangeset)]
#[diesel(table_name = namespaces)]
pub struct Settings {
    pub public: Option<bool>,
    pub auto_scan: Option<bool>,
    pub prevent_vul: Option<bool>,
    pub severity: Option<String>,
    pub cve_whitelist: Option<String>,
    pub tags: Option<String>,
}

#[derive(Insertable)]
#[diesel(table_name = namespaces)]
struct NewNamespace<'a> {
    registry_id: &'a str,
    registry_service: &'a str,
    name: &'a str,
    public: bool,
    auto_scan: bool,
    prevent_vul: bool,
    severity: &'a str,
    cve_whitelist: &'a str,
    tags: &'a str,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// Create `name` for the registry, or bring back its own tombstone of that name, with the
/// settings given (missing ones at their defaults). `Err(UniqueViolation)` when the name
/// is held by a live namespace, or by any namespace of another registry of the service:
/// the registry may still hold that one's images.
pub fn create(
    conn: &mut DbConnection,
    registry_id: &str,
    service: &str,
    name: &str,
    settings: &Settings,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    let (severity, cve_whitelist, tags) = (
        settings.severity.as_deref().unwrap_or(""),
        settings.cve_whitelist.as_deref().unwrap_or("[]"),
        settings.tags.as_deref().unwrap_or("[]"),
    );
    let (public, auto_scan, prevent_vul) = (
        settings.public.unwrap_or(false),
        settings.auto_scan.unwrap_or(false),
        settings.prevent_vul.unwrap_or(false),
    );
    // The update first: a failed insert would end a PostgreSQL transaction, and only this
    // registry's own tombstone matches, so the constraint still decides every race.
    let revived = diesel::update(
        namespaces::table
            .filter(namespaces::registry_service.eq(service))
            .filter(namespaces::name.eq(name))
            .filter(namespaces::registry_id.eq(registry_id))
            .filter(namespaces::deleted_at.is_not_null()),
    )
    .set((
        namespaces::public.eq(public),
        namespaces::auto_scan.eq(auto_scan),
        namespaces::prevent_vul.eq(prevent_vul),
        namespaces::severity.eq(severity),
        namespaces::cve_whitelist.eq(cve_whitelist),
        namespaces::tags.eq(tags),
        namespaces::created_at.eq(now),
        namespaces::updated_at.eq(now),
        namespaces::deleted_at.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    if revived == 1 {
        return Ok(());
    }
    diesel::insert_into(namespaces::table)
        .values(NewNamespace {
            registry_id,
            registry_service: service,
            name,
            public,
            auto_scan,
            prevent_vul,
            severity,
            cve_whitelist,
            tags,
            created_at: now,
            updated_at: now,
        })
        .execute(conn)?;
    Ok(())
}

/// Change the live namespace `name` of the registry; whether it exists.
pub fn update(
    conn: &mut DbConnection,
    registry_id: &str,
    name: &str,
    changes: &Settings,
    now: NaiveDateTime,
) -> Result<bool, StoreError> {
    let target = namespaces::table
        .filter(namespaces::registry_id.eq(registry_id))
        .filter(namespaces::name.eq(name))
        .filter(namespaces::deleted_at.is_null());
    Ok(diesel::update(target)
        .set((changes, namespaces::updated_at.eq(now)))
        .execute(conn)?
        == 1)
}

/// Delete the live namespace `name` of the registry, keeping its row and so its name;
/// whether it existed.
pub fn tombstone(
    conn: &mut DbConnection,
    registry_id: &str,
    name: &str,
    now: NaiveDateTime,
) -> Result<bool, StoreError> {
    let target = namespaces::table
        .filter(namespaces::registry_id.eq(registry_id))
        .filter(namespaces::name.eq(name))
        .filter(namespaces::deleted_at.is_null());
    Ok(diesel::update(target)
        .set((
            namespaces::deleted_at.eq(now),
            namespaces::updated_at.eq(now),
        ))
        .execute(conn)?
        == 1)
}

/// Delete every live namespace of the registry, as the registry goes; how many.
pub fn tombstone_registry(
    conn: &mut DbConnection,
    registry_id: &str,
    now: NaiveDateTime,
) -> Result<usize, StoreError> {
    let target = namespaces::table
        .filter(namespaces::registry_id.eq(registry_id))
        .filter(namespaces::deleted_at.is_null());
    Ok(diesel::update(target)
        .set((
            namespaces::deleted_at.eq(now),
            namespaces::updated_at.eq(now),
        ))
        .execute(conn)?)
}

/// A page of the registry's live namespaces that `filter` lets through, by name (all of
/// them from `offset` when `limit` is `None`), and their total.
pub fn page(
    conn: &mut DbConnection,
    registry_id: &str,
    filter: &Filter,
    offset: i64,
    limit: Option<i64>,
) -> Result<(Vec<Namespace>, i64), StoreError> {
    let filtered = || {
        let mut q = namespaces::table
            .filter(namespaces::registry_id.eq(registry_id.to_string()))
            .filter(namespaces::deleted_at.is_null())
            .into_boxed();
        if let Some(name) = &filter.name {
            q = q.filter(namespaces::name.eq(name.clone()));
        }
        for set in &filter.tags {
            q = q.filter(holds_any(set));
        }
        q
    };
    let total = filtered().count().get_result(conn)?;
    // SQLite takes no OFFSET without a LIMIT.
    let rows = filtered()
        .order(namespaces::name.asc())
        .offset(offset)
        .limit(limit.unwrap_or(i64::MAX))
        .select(Namespace::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// A page of the live namespaces of the account's registries, by registry and name, and
/// the total.
pub fn page_in_account(
    conn: &mut DbConnection,
    domain_id: &str,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Namespace>, i64), StoreError> {
    let filtered = || {
        namespaces::table
            .inner_join(registries::table)
            .filter(registries::domain_id.eq(domain_id.to_string()))
            .filter(namespaces::deleted_at.is_null())
            .into_boxed()
    };
    let total = filtered().count().get_result(conn)?;
    let rows = filtered()
        .order((namespaces::registry_id.asc(), namespaces::name.asc()))
        .offset(offset)
        .limit(limit)
        .select(Namespace::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// The live namespaces called `names` of live registries of the registry `service`, for a
/// registry login to decide what it grants: one query, whoever owns them.
pub fn login_records(
    conn: &mut DbConnection,
    service: &str,
    names: &[String],
) -> Result<Vec<NamespaceRecord>, StoreError> {
    let live = namespaces::table
        .inner_join(registries::table)
        .filter(namespaces::registry_service.eq(service))
        .filter(namespaces::deleted_at.is_null())
        .select((
            namespaces::name,
            namespaces::registry_id,
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
