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
/// Run it in a write transaction: on PostgreSQL the update locks the row until the
/// transaction ends and re-reads it if another transaction changed it first, so
/// concurrent attempts each see their own count; SQLite's writes run one at a time.
pub fn count_attempt(
    conn: &mut DbConnection,
    subject: &str,
    now: NaiveDateTime,
    expired_before: NaiveDateTime,
) -> Result<i32, StoreError> {
    let create = || {
        diesel::insert_into(login_limits::table)
            .values((
                login_limits::subject.eq(subject),
                login_limits::attempts.eq(0),
                login_limits::window_start.eq(now),
            ))
            .on_conflict_do_nothing()
    };
    let bump = || {
        let expired = login_limits::window_start.le(expired_before);
        diesel::update(login_limits::table.find(subject)).set((
            login_limits::attempts
                .eq(case_when(expired, 1.into_sql::<Integer>())
                    .otherwise(login_limits::attempts + 1)),
            login_limits::window_start.eq(case_when(expired, now.into_sql::<Timestamp>())
                .otherwise(login_limits::window_start)),
        ))
    };
    // On PostgreSQL a concurrent right password (`clear`) may delete the row between the
    // insert that found it and the update: then the update finds nothing, and the row is
    // made again. Once updated, the row is locked until this transaction ends.
    let mut counted = 0;
    for _ in 0..3 {
        service_kit::on_backend!(conn, |c| create().execute(c))?;
        counted = service_kit::on_backend!(conn, |c| bump().execute(c))?;
        if counted == 1 {
            break;
        }
    }
    if counted != 1 {
        return Err(StoreError::Other(format!(
            "login attempts of {subject} could not be counted"
        )));
    }
    let read = login_limits::table
        .find(subject)
        .select(login_limits::attempts);
    Ok(service_kit::on_backend!(conn, |c| read.first(c))?)
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
