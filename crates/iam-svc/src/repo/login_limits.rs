//! Login attempt counters: one row per subject (`u:<user id>`, `n:<unknown name>`,
//! `a:<address>`), counted in a fixed window that starts with its first attempt.

use chrono::NaiveDateTime;
use diesel::dsl::case_when;
use diesel::prelude::*;
use diesel::sql_types::{Integer, Timestamp};
use service_kit::db::{DbConnection, StoreError};

use crate::schema::login_limits;

/// Count one attempt for `subject` and return the attempts in its window, this one
/// included. A window that started at or before `expired_before` starts again now.
///
/// One statement: the insert makes the subject's row, or adds to the one that is there.
/// PostgreSQL runs an upsert atomically against concurrent writers: a row another
/// transaction updates is waited for and then counted on, and a row a right password
/// (`clear`) deletes meanwhile is made again, so concurrent attempts each see a count of
/// their own and none fails.
pub fn count_attempt(
    conn: &mut DbConnection,
    subject: &str,
    now: NaiveDateTime,
    expired_before: NaiveDateTime,
) -> Result<i32, StoreError> {
    let upsert = || {
        let expired = login_limits::window_start.le(expired_before);
        diesel::insert_into(login_limits::table)
            .values((
                login_limits::subject.eq(subject),
                login_limits::attempts.eq(1),
                login_limits::window_start.eq(now),
            ))
            .on_conflict(login_limits::subject)
            .do_update()
            .set((
                login_limits::attempts.eq(case_when(expired, 1.into_sql::<Integer>())
                    .otherwise(login_limits::attempts + 1)),
                login_limits::window_start.eq(case_when(expired, now.into_sql::<Timestamp>())
                    .otherwise(login_limits::window_start)),
            ))
    };
    let attempts = match conn {
        DbConnection::Postgresql(c) => upsert().returning(login_limits::attempts).get_result(c)?,
        // No RETURNING in the SQLite diesel speaks here; the writer is alone, so the read
        // that follows sees this count.
        DbConnection::Sqlite(c) => {
            upsert().execute(c)?;
            let read = login_limits::table.find(subject);
            read.select(login_limits::attempts).first(c)?
        }
    };
    Ok(attempts)
}

/// Forget the subject's attempts.
pub fn clear(conn: &mut DbConnection, subject: &str) -> Result<(), StoreError> {
    diesel::delete(login_limits::table.find(subject)).execute(conn)?;
    Ok(())
}

/// Take back one counted attempt (it turned out not to be a failure).
pub fn uncount(conn: &mut DbConnection, subject: &str) -> Result<(), StoreError> {
    diesel::update(
        login_limits::table
            .find(subject)
            .filter(login_limits::attempts.gt(0)),
    )
    .set(login_limits::attempts.eq(login_limits::attempts - 1))
    .execute(conn)?;
    Ok(())
}

/// Forget windows that ended.
pub fn prune(conn: &mut DbConnection, expired_before: NaiveDateTime) -> Result<usize, StoreError> {
    Ok(
        diesel::delete(login_limits::table.filter(login_limits::window_start.le(expired_before)))
            .execute(conn)?,
    )
}
