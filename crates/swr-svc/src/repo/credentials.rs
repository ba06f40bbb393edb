//! Registry credentials. Only the SHA-256 of an auth_token is stored.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use service_kit::db::{DbConnection, StoreError};
use service_kit::registry::StoredCredential;

use crate::repo::instances::REVOKED;
use crate::schema::{credentials, instances};

pub const LONG_TERM: &str = "long_term";
pub const TEMPORARY: &str = "temporary";

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = credentials)]
pub struct Credential {
    pub id: String,
    pub instance_id: String,
    pub user_id: String,
    pub user_name: String,
    pub name: String,
    pub kind: String,
    pub token_digest: String,
    pub access: String,
    pub enabled: bool,
    #[diesel(deserialize_as = service_kit::db::Timestamp)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = service_kit::db::Timestamp)]
    pub expires_at: NaiveDateTime,
    /// Who disabled it (while disabled), and whether they held the admin role then.
    pub disabled_by: Option<String>,
    pub disabled_by_admin: bool,
    /// When the user or project it belongs to was revoked (see `crate::revocation`).
    pub revoked_at: Option<NaiveDateTime>,
}

/// Runs in SQLite's one writer, as does [`count_for_user`]: both on the backend's
/// connection, where their statements stay prepared (see `service_kit::on_backend!`).
pub fn insert(conn: &mut DbConnection, row: &Credential) -> Result<(), StoreError> {
    let query = diesel::insert_into(credentials::table).values(row);
    service_kit::on_backend!(conn, |c| query.execute(c))?;
    Ok(())
}

/// Every credential the user holds on the instance, expired ones included; a create that
/// finds the quota full purges the expired temporary ones ([`delete_expired_temporary`]).
pub fn count_for_user(
    conn: &mut DbConnection,
    instance_id: &str,
    user_id: &str,
) -> Result<i64, StoreError> {
    let query = credentials::table
        .filter(credentials::instance_id.eq(instance_id))
        .filter(credentials::user_id.eq(user_id))
        .count();
    Ok(service_kit::on_backend!(conn, |c| query.get_result(c))?)
}

/// Delete one user's temporary credentials on an instance that expired by `now` (as
/// registry login sees it: live means `expires_at > now`); returns how many went.
/// Long-term credentials are left alone: they stay listed, as `expired`, until deleted.
/// Temporary rows are not in the instance's `long_term_credentials`, so no count changes.
pub fn delete_expired_temporary(
    conn: &mut DbConnection,
    instance_id: &str,
    user_id: &str,
    now: NaiveDateTime,
) -> Result<usize, StoreError> {
    Ok(diesel::delete(
        credentials::table
            .filter(credentials::instance_id.eq(instance_id))
            .filter(credentials::user_id.eq(user_id))
            .filter(credentials::kind.eq(TEMPORARY))
            .filter(credentials::expires_at.le(now)),
    )
    .execute(conn)?)
}

/// The instance's long-term credential `id`. A temporary credential is not one: the
/// long-term endpoints, which alone look credentials up by id, cannot see, disable or
/// delete it (it is never listed either, and dies at its expiry).
pub fn find_long_term(
    conn: &mut DbConnection,
    instance_id: &str,
    id: &str,
) -> Result<Option<Credential>, StoreError> {
    Ok(credentials::table
        .find(id)
        .filter(credentials::instance_id.eq(instance_id))
        .filter(credentials::kind.eq(LONG_TERM))
        .select(Credential::as_select())
        .first(conn)
        .optional()?)
}

/// What a registry login checks of the credential whose token has this digest, and the
/// registry service and id of its instance (the owner of the namespaces it opens): one
/// joined read of six columns, run once per login.
/// A revoked credential, or one of a revoked instance, is not found: revocation is a
/// condition of this one statement, never a read of its own.
pub fn login_record(
    conn: &mut DbConnection,
    digest: &str,
) -> Result<Option<StoredCredential>, StoreError> {
    let query = credentials::table
        .inner_join(instances::table)
        .filter(credentials::token_digest.eq(digest))
        .filter(credentials::revoked_at.is_null())
        .filter(instances::status.ne(REVOKED))
        .select((
            credentials::user_id,
            credentials::enabled,
            credentials::expires_at,
            credentials::access,
            instances::registry_service,
            instances::id,
        ));
    Ok(service_kit::on_backend!(conn, |c| query
        .first(c)
        .optional())?)
}

/// A page of an instance's long-term credentials (one user's, or everyone's), oldest
/// first with the id as tie-breaker so pages never overlap, and the total; `None` when the
/// project has no such instance.
///
/// Two statements whatever the page: the instance's check and the total in one, the rows
/// in the other. Everyone's total is the instance's `long_term_credentials`, which
/// triggers keep exact in the transaction of every write: counting could scan millions of
/// rows. One user's is counted; the per-user quota bounds it. Each shape is a query type
/// of its own, run on the backend's connection, so its statement is prepared once per
/// connection (see `service_kit::on_backend!`).
pub fn page(
    conn: &mut DbConnection,
    project_id: &str,
    instance_id: &str,
    user_id: Option<&str>,
    offset: i64,
    limit: i64,
) -> Result<Option<(Vec<Credential>, i64)>, StoreError> {
    let instance = instances::table
        .find(instance_id)
        .filter(instances::project_id.eq(project_id))
        .filter(instances::status.ne(REVOKED));
    let long_term = credentials::table
        .filter(credentials::instance_id.eq(instance_id))
        .filter(credentials::kind.eq(LONG_TERM));
    let in_page_order = (credentials::created_at.asc(), credentials::id.asc());
    service_kit::on_backend!(conn, |c| match user_id {
        Some(user) => {
            let own = long_term.filter(credentials::user_id.eq(user));
            let count = own.count().single_value();
            let Some(total) = instance.select(count).first::<Option<i64>>(c).optional()? else {
                return Ok(None);
            };
            let rows = own
                .order(in_page_order)
                .offset(offset)
                .limit(limit)
                .select(Credential::as_select())
                .load(c)?;
            Ok(Some((rows, total.unwrap_or(0))))
        }
        None => {
            let total = instance.select(instances::long_term_credentials);
            let Some(total) = total.first::<i64>(c).optional()? else {
                return Ok(None);
            };
            let rows = long_term
                .order(in_page_order)
                .offset(offset)
                .limit(limit)
                .select(Credential::as_select())
                .load(c)?;
            Ok(Some((rows, total)))
        }
    })
}

/// Enable the credential, forgetting who had disabled it.
pub fn enable(conn: &mut DbConnection, id: &str) -> Result<bool, StoreError> {
    Ok(diesel::update(credentials::table.find(id))
        .set((
            credentials::enabled.eq(true),
            credentials::disabled_by.eq(None::<String>),
            credentials::disabled_by_admin.eq(false),
        ))
        .execute(conn)?
        == 1)
}

/// Disable the credential on behalf of `by`. An admin's disable is never overwritten by a
/// non-admin's: only an admin may undo it, so the mark must survive the owner disabling
/// the credential again.
pub fn disable(
    conn: &mut DbConnection,
    id: &str,
    by: &str,
    by_admin: bool,
) -> Result<(), StoreError> {
    let row = credentials::table.find(id);
    if by_admin {
        diesel::update(row)
            .set((
                credentials::enabled.eq(false),
                credentials::disabled_by.eq(by),
                credentials::disabled_by_admin.eq(true),
            ))
            .execute(conn)?
    } else {
        diesel::update(row.filter(credentials::disabled_by_admin.eq(false)))
            .set((
                credentials::enabled.eq(false),
                credentials::disabled_by.eq(by),
            ))
            .execute(conn)?
    };
    Ok(())
}

pub fn delete(conn: &mut DbConnection, id: &str) -> Result<bool, StoreError> {
    Ok(diesel::delete(credentials::table.find(id)).execute(conn)? == 1)
}

/// Revoke every credential of the user created at or before `cutoff`, on any instance;
/// already revoked ones keep their first revocation time. Returns how many changed.
pub fn revoke_user(
    conn: &mut DbConnection,
    user_id: &str,
    cutoff: NaiveDateTime,
    at: NaiveDateTime,
) -> Result<usize, StoreError> {
    Ok(diesel::update(
        credentials::table
            .filter(credentials::user_id.eq(user_id))
            .filter(credentials::created_at.le(cutoff))
            .filter(credentials::revoked_at.is_null()),
    )
    .set(credentials::revoked_at.eq(at))
    .execute(conn)?)
}

/// Revoke every credential created at or before `cutoff` on the project's instances.
pub fn revoke_project(
    conn: &mut DbConnection,
    project_id: &str,
    cutoff: NaiveDateTime,
    at: NaiveDateTime,
) -> Result<usize, StoreError> {
    let of_project = instances::table
        .filter(instances::project_id.eq(project_id))
        .select(instances::id);
    Ok(diesel::update(
        credentials::table
            .filter(credentials::instance_id.eq_any(of_project))
            .filter(credentials::created_at.le(cutoff))
            .filter(credentials::revoked_at.is_null()),
    )
    .set(credentials::revoked_at.eq(at))
    .execute(conn)?)
}
