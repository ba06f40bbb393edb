//! Instance tokens. Only the SHA-256 of a token is stored.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use service_kit::db::{DbConnection, StoreError};
use service_kit::registry::StoredCredential;

use crate::schema::{instance_tokens, registries};

pub const TEMP: &str = "temp";
pub const LONGTERM: &str = "longterm";

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = instance_tokens)]
pub struct InstanceToken {
    pub id: String,
    pub registry_id: String,
    pub user_id: String,
    pub kind: String,
    pub token_digest: String,
    pub description: String,
    pub access: String,
    pub enabled: bool,
    #[diesel(deserialize_as = service_kit::db::Timestamp)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = service_kit::db::Timestamp)]
    pub expires_at: NaiveDateTime,
    /// Who disabled the token, while it is disabled.
    pub disabled_by: Option<String>,
    /// Whether whoever disabled it was an account admin then: only an admin undoes that.
    pub disabled_by_admin: bool,
    /// When it was revoked for good, its user having lost access to the account.
    pub revoked_at: Option<NaiveDateTime>,
}

/// A change to a stored token; `None` leaves a column as it is.
#[derive(Default, AsChangeset)]
#[diesel(table_name = instance_tokens)]
pub struct TokenChanges {
    pub description: Option<String>,
    pub enabled: Option<bool>,
    pub disabled_by: Option<Option<String>>,
    pub disabled_by_admin: Option<bool>,
}

impl TokenChanges {
    /// Disabled by `user`, an admin or not.
    pub fn disable(user: String, admin: bool) -> Self {
        TokenChanges {
            enabled: Some(false),
            disabled_by: Some(Some(user)),
            disabled_by_admin: Some(admin),
            ..Default::default()
        }
    }

    /// Enabled, forgetting who had disabled it.
    pub fn enable() -> Self {
        TokenChanges {
            enabled: Some(true),
            disabled_by: Some(None),
            disabled_by_admin: Some(false),
            ..Default::default()
        }
    }
}

/// On the backend's connection, where the statement stays prepared: every token create
/// runs it (on SQLite, in the one writer).
pub fn insert(conn: &mut DbConnection, row: &InstanceToken) -> Result<(), StoreError> {
    let query = diesel::insert_into(instance_tokens::table).values(row);
    service_kit::on_backend!(conn, |c| query.execute(c))?;
    Ok(())
}

/// A longterm token of the registry.
pub fn find_longterm(
    conn: &mut DbConnection,
    registry_id: &str,
    id: &str,
) -> Result<Option<InstanceToken>, StoreError> {
    Ok(instance_tokens::table
        .find(id)
        .filter(instance_tokens::registry_id.eq(registry_id))
        .filter(instance_tokens::kind.eq(LONGTERM))
        .select(InstanceToken::as_select())
        .first(conn)
        .optional()?)
}

/// A longterm token of the registry, locked until the transaction ends on PostgreSQL, so
/// that a change decided on its state (who disabled it) is made on that state.
pub fn find_longterm_locked(
    conn: &mut DbConnection,
    registry_id: &str,
    id: &str,
) -> Result<Option<InstanceToken>, StoreError> {
    Ok(service_kit::first_locked!(
        conn,
        instance_tokens::table
            .find(id)
            .filter(instance_tokens::registry_id.eq(registry_id))
            .filter(instance_tokens::kind.eq(LONGTERM))
            .select(InstanceToken::as_select())
    )?)
}

/// What a registry login checks of the instance token with this digest, and the service
/// of its registry: one joined read of five columns, run once per login. A revoked token
/// is not found.
pub fn login_record(
    conn: &mut DbConnection,
    digest: &str,
) -> Result<Option<StoredCredential>, StoreError> {
    let query = instance_tokens::table
        .inner_join(registries::table)
        .filter(instance_tokens::token_digest.eq(digest))
        .filter(instance_tokens::revoked_at.is_null())
        .select((
            instance_tokens::user_id,
            instance_tokens::enabled,
            instance_tokens::expires_at,
            instance_tokens::access,
            registries::registry_service,
            registries::id,
        ));
    Ok(service_kit::on_backend!(conn, |c| query
        .first(c)
        .optional())?)
}

/// A page of the registry's longterm tokens, oldest first, and the total: the registry's
/// `longterm_tokens`, which triggers keep exact in the transaction of every write, since
/// nothing bounds how many a registry has and counting them would scan them all.
pub fn page_longterm(
    conn: &mut DbConnection,
    registry_id: &str,
    offset: i64,
    limit: i64,
) -> Result<(Vec<InstanceToken>, i64), StoreError> {
    let filtered = || {
        instance_tokens::table
            .filter(instance_tokens::registry_id.eq(registry_id.to_string()))
            .filter(instance_tokens::kind.eq(LONGTERM))
            .into_boxed()
    };
    // A registry deleted since the caller looked it up has no tokens left.
    let total = registries::table
        .find(registry_id)
        .select(registries::longterm_tokens)
        .first(conn)
        .optional()?
        .unwrap_or(0);
    let rows = filtered()
        .order((instance_tokens::created_at.asc(), instance_tokens::id.asc()))
        .offset(offset)
        .limit(limit)
        .select(InstanceToken::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// Delete at most `batch` temp tokens that expired before `before`, the longest expired
/// first; how many. Replicas may run it at once: on PostgreSQL each skips the rows
/// another is deleting (`SKIP LOCKED`), so none waits on another or deadlocks with it;
/// SQLite has one writer.
pub fn purge_expired_temp(
    conn: &mut DbConnection,
    before: NaiveDateTime,
    batch: i64,
) -> Result<usize, StoreError> {
    let expired = || {
        instance_tokens::table
            .filter(instance_tokens::kind.eq(TEMP))
            .filter(instance_tokens::expires_at.lt(before))
            .order((instance_tokens::kind, instance_tokens::expires_at))
            .select(instance_tokens::id)
            .limit(batch)
    };
    let ids: Vec<String> = match conn {
        DbConnection::Postgresql(pg) => expired().for_update().skip_locked().load(pg)?,
        DbConnection::Sqlite(lite) => expired().load(lite)?,
    };
    if ids.is_empty() {
        return Ok(0);
    }
    let purged = diesel::delete(instance_tokens::table.filter(instance_tokens::id.eq_any(ids)))
        .execute(conn)?;
    Ok(purged)
}

pub fn update(
    conn: &mut DbConnection,
    id: &str,
    changes: &TokenChanges,
) -> Result<bool, StoreError> {
    Ok(diesel::update(instance_tokens::table.find(id))
        .set(changes)
        .execute(conn)?
        == 1)
}

pub fn delete(conn: &mut DbConnection, id: &str) -> Result<bool, StoreError> {
    Ok(diesel::delete(instance_tokens::table.find(id)).execute(conn)? == 1)
}

/// Revoke, at `at`, the user's tokens created at or before `cutoff` and not revoked yet;
/// how many. Running it again changes nothing.
pub fn revoke_created_before(
    conn: &mut DbConnection,
    user_id: &str,
    cutoff: NaiveDateTime,
    at: NaiveDateTime,
) -> Result<usize, StoreError> {
    Ok(diesel::update(
        instance_tokens::table
            .filter(instance_tokens::user_id.eq(user_id))
            .filter(instance_tokens::created_at.le(cutoff))
            .filter(instance_tokens::revoked_at.is_null()),
    )
    .set(instance_tokens::revoked_at.eq(at))
    .execute(conn)?)
}
