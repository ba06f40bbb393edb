//! Requests counted per account, action and one-second window, on PostgreSQL (see
//! `ratelimit`: SQLite counts in memory).

use diesel::prelude::*;
use diesel::PgConnection;
use service_kit::db::{DbConnection, StoreError};

use crate::schema::rate_windows;

/// Count one request of `account` for `action` in the window starting at `second`, and
/// return the window's count, this request included.
///
/// One statement, one round trip: the insert makes the window's row or, when it is there,
/// adds one to it. PostgreSQL locks the row for the update and, when another request
/// updated it first, waits for that one and adds to its count, so concurrent requests on
/// any replica each see a count of their own.
pub fn count(
    conn: &mut PgConnection,
    account: &str,
    action: &str,
    second: i64,
) -> Result<i32, StoreError> {
    Ok(diesel::insert_into(rate_windows::table)
        .values((
            rate_windows::account_id.eq(account),
            rate_windows::action.eq(action),
            rate_windows::window_start.eq(second),
            rate_windows::count.eq(1),
        ))
        .on_conflict((
            rate_windows::account_id,
            rate_windows::action,
            rate_windows::window_start,
        ))
        .do_update()
        .set(rate_windows::count.eq(rate_windows::count + 1))
        .returning(rate_windows::count)
        .get_result(conn)?)
}

/// Forget the windows that started before the second `before`; how many.
pub fn prune(conn: &mut DbConnection, before: i64) -> Result<usize, StoreError> {
    Ok(
        diesel::delete(rate_windows::table.filter(rate_windows::window_start.lt(before)))
            .execute(conn)?,
    )
}
