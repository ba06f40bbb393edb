//! The revocation feed: an append-only table other replicas and services poll.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use service_kit::auth::wire::{RevocationEvent, RevocationKind};
use service_kit::db::{DbConnection, StoreError};

use crate::schema::revocation_events;

/// Most events returned per page of the feed.
pub const PAGE: i64 = 1000;

#[derive(Queryable, Selectable)]
#[diesel(table_name = revocation_events)]
struct Row {
    seq: i64,
    kind: String,
    subject: String,
    #[diesel(deserialize_as = service_kit::db::Timestamp)]
    revoked_at: NaiveDateTime,
    #[diesel(deserialize_as = service_kit::db::Timestamp)]
    relevant_until: NaiveDateTime,
}

/// Record a revocation. Run it in a write transaction.
///
/// Pollers read the feed by sequence number, so a number must never become visible after
/// a higher one: a poller that saw the higher one would skip it for good. On PostgreSQL
/// the sequence is taken at insert but the row shows at commit, so appends take the
/// table's write lock first and hold it to commit: numbers are then taken, and become
/// visible, in commit order. Reads are not blocked. SQLite's writes run one at a time.
pub fn append(
    conn: &mut DbConnection,
    kind: RevocationKind,
    subject: &str,
    revoked_at: NaiveDateTime,
    relevant_until: NaiveDateTime,
) -> Result<(), StoreError> {
    if let DbConnection::Postgresql(c) = conn {
        diesel::sql_query("LOCK TABLE revocation_events IN EXCLUSIVE MODE").execute(c)?;
    }
    let kind = kind.as_str();
    diesel::insert_into(revocation_events::table)
        .values((
            revocation_events::kind.eq(kind),
            revocation_events::subject.eq(subject),
            revocation_events::revoked_at.eq(revoked_at),
            revocation_events::relevant_until.eq(relevant_until),
        ))
        .execute(conn)?;
    Ok(())
}

/// How far back recent events are repeated: a second net under [`append`]'s ordering,
/// for rows written by a replica that predates it.
const LATE_COMMIT_WINDOW: chrono::Duration = chrono::Duration::seconds(15);

/// Events after `after` (a page, oldest first), plus the last few seconds' events at or
/// before it again, that still matter at `now`. Applying an event twice is harmless.
pub fn after(
    conn: &mut DbConnection,
    after: i64,
    now: NaiveDateTime,
) -> Result<Vec<RevocationEvent>, StoreError> {
    let mut rows: Vec<Row> = revocation_events::table
        .filter(revocation_events::seq.le(after))
        .filter(revocation_events::revoked_at.ge(now - LATE_COMMIT_WINDOW))
        .filter(revocation_events::relevant_until.gt(now))
        .order(revocation_events::seq.asc())
        .limit(PAGE)
        .select(Row::as_select())
        .load(conn)?;
    // Separately, so a burst of recent events never crowds newer ones out of the page.
    rows.extend(
        revocation_events::table
            .filter(revocation_events::seq.gt(after))
            .filter(revocation_events::relevant_until.gt(now))
            .order(revocation_events::seq.asc())
            .limit(PAGE)
            .select(Row::as_select())
            .load::<Row>(conn)?,
    );
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let kind = RevocationKind::parse(&r.kind)?;
            Some(RevocationEvent {
                seq: r.seq,
                kind,
                subject: r.subject,
                revoked_at: DateTime::<Utc>::from_naive_utc_and_offset(r.revoked_at, Utc),
                relevant_until: DateTime::<Utc>::from_naive_utc_and_offset(r.relevant_until, Utc),
            })
        })
        .collect())
}

/// Forget events no token can be hit by any more.
pub fn prune(conn: &mut DbConnection, now: NaiveDateTime) -> Result<usize, StoreError> {
    Ok(
        diesel::delete(revocation_events::table.filter(revocation_events::relevant_until.le(now)))
            .execute(conn)?,
    )
}
