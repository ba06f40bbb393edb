//! Permanent access keys. The SK is stored sealed; this module never sees it in clear.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use service_kit::db::{DbConnection, StoreError};

use crate::schema::{access_keys, domains, users};

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = access_keys)]
pub struct AccessKey {
    pub access: String,
    pub user_id: String,
    pub domain_id: String,
    pub sealed_secret: String,
    pub status: String,
    pub description: String,
    #[diesel(deserialize_as = service_kit::db::Timestamp)]
    pub created_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
}

pub const ACTIVE: &str = "active";
pub const INACTIVE: &str = "inactive";

#[derive(Default, AsChangeset)]
#[diesel(table_name = access_keys)]
pub struct AccessKeyChanges {
    pub status: Option<String>,
    pub description: Option<String>,
}

/// Runs in SQLite's one writer, as does [`count_for_user`]: both on the backend's
/// connection, where their statements stay prepared (see `service_kit::on_backend!`).
pub fn insert(conn: &mut DbConnection, row: &AccessKey) -> Result<(), StoreError> {
    let query = diesel::insert_into(access_keys::table).values(row);
    service_kit::on_backend!(conn, |c| query.execute(c))?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, access: &str) -> Result<Option<AccessKey>, StoreError> {
    Ok(access_keys::table
        .find(access)
        .select(AccessKey::as_select())
        .first(conn)
        .optional()?)
}

/// What a signature check needs of a key, its user and its domain.
pub struct KeyForCheck {
    pub access: String,
    pub user_id: String,
    pub domain_id: String,
    pub sealed_secret: String,
    pub status: String,
    /// The user's name and `enabled`, `None` if the user is gone.
    pub user: Option<(String, bool)>,
    /// The domain's name and `enabled`, `None` if the domain is gone.
    pub domain: Option<(String, bool)>,
}

/// A key with its user and domain, in one statement (a signature check runs on every
/// signed request in the system). The enabled flags are read, not filtered on: the caller
/// refuses a disabled owner only after the MAC matched.
pub fn find_for_check(
    conn: &mut DbConnection,
    access: &str,
) -> Result<Option<KeyForCheck>, StoreError> {
    type Row = (
        String,
        String,
        String,
        String,
        String,
        Option<(String, bool)>,
        Option<(String, bool)>,
    );
    let query = access_keys::table
        .left_join(users::table.on(users::id.eq(access_keys::user_id)))
        .left_join(domains::table.on(domains::id.eq(access_keys::domain_id)))
        .filter(access_keys::access.eq(access))
        .select((
            access_keys::access,
            access_keys::user_id,
            access_keys::domain_id,
            access_keys::sealed_secret,
            access_keys::status,
            (users::name, users::enabled).nullable(),
            (domains::name, domains::enabled).nullable(),
        ));
    let row: Option<Row> = service_kit::on_backend!(conn, |c| query.first(c).optional())?;
    Ok(row.map(
        |(access, user_id, domain_id, sealed_secret, status, user, domain)| KeyForCheck {
            access,
            user_id,
            domain_id,
            sealed_secret,
            status,
            user,
            domain,
        },
    ))
}

pub fn count_for_user(conn: &mut DbConnection, user_id: &str) -> Result<i64, StoreError> {
    let query = access_keys::table
        .filter(access_keys::user_id.eq(user_id))
        .count();
    Ok(service_kit::on_backend!(conn, |c| query.get_result(c))?)
}

/// Keys of one user, or of every user of a domain when `user_id` is `None`.
pub fn list(
    conn: &mut DbConnection,
    domain_id: &str,
    user_id: Option<&str>,
) -> Result<Vec<AccessKey>, StoreError> {
    let mut q = access_keys::table
        .filter(access_keys::domain_id.eq(domain_id))
        .into_boxed();
    if let Some(user) = user_id {
        q = q.filter(access_keys::user_id.eq(user.to_string()));
    }
    Ok(
        q.order((access_keys::created_at.asc(), access_keys::access.asc()))
            .select(AccessKey::as_select())
            .load(conn)?,
    )
}

/// One page of a user's keys in AK order: at most `limit` keys whose AK comes after
/// `after` (the previous page's last). The AK order rides the primary key, so a page is
/// stable whatever is created or deleted around it.
pub fn page_for_user(
    conn: &mut DbConnection,
    domain_id: &str,
    user_id: &str,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<AccessKey>, StoreError> {
    let mut q = access_keys::table
        .filter(access_keys::domain_id.eq(domain_id.to_string()))
        .filter(access_keys::user_id.eq(user_id.to_string()))
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(access_keys::access.gt(after.to_string()));
    }
    Ok(q.order(access_keys::access.asc())
        .limit(limit)
        .select(AccessKey::as_select())
        .load(conn)?)
}

pub fn update(
    conn: &mut DbConnection,
    access: &str,
    changes: &AccessKeyChanges,
) -> Result<bool, StoreError> {
    Ok(diesel::update(access_keys::table.find(access))
        .set(changes)
        .execute(conn)?
        == 1)
}

pub fn delete(conn: &mut DbConnection, access: &str) -> Result<bool, StoreError> {
    Ok(diesel::delete(access_keys::table.find(access)).execute(conn)? == 1)
}

pub fn touch(conn: &mut DbConnection, access: &str, at: NaiveDateTime) -> Result<(), StoreError> {
    diesel::update(access_keys::table.find(access))
        .set(access_keys::last_used_at.eq(at))
        .execute(conn)?;
    Ok(())
}

/// Every key not sealed under `current_key_id`, for re-sealing after a rotation.
pub fn sealed_elsewhere(
    conn: &mut DbConnection,
    current_key_id: &str,
) -> Result<Vec<AccessKey>, StoreError> {
    let prefix = format!("{current_key_id}$%");
    Ok(access_keys::table
        .filter(access_keys::sealed_secret.not_like(prefix))
        .select(AccessKey::as_select())
        .load(conn)?)
}

pub fn set_sealed(conn: &mut DbConnection, access: &str, sealed: &str) -> Result<(), StoreError> {
    diesel::update(access_keys::table.find(access))
        .set(access_keys::sealed_secret.eq(sealed))
        .execute(conn)?;
    Ok(())
}
