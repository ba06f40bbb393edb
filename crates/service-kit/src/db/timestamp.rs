//! Loading `Timestamp` columns without chrono's format-string parser.
//!
//! SQLite has no timestamp type: diesel stores a `NaiveDateTime` as text
//! (`YYYY-MM-DD HH:MM:SS` and, when there is one, a fraction) and reads it back by trying
//! 18 formats in turn through chrono's `parse_from_str`, which interprets each pattern on
//! every call. That was about 5% of the CPU of a page of credentials.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::pg::Pg;
use diesel::sql_types;
use diesel::sqlite::Sqlite;

use super::connection::MultiBackend;

/// A `Timestamp` column's value. Load a `NaiveDateTime` field through it with
/// `#[diesel(deserialize_as = service_kit::db::Timestamp)]`: on SQLite the text diesel
/// writes is read field by field, and any other text goes to diesel's own parser; on
/// PostgreSQL, whose timestamps are binary, diesel reads it as before.
#[derive(Clone, Copy, Debug, PartialEq, Eq, diesel::deserialize::FromSqlRow)]
pub struct Timestamp(pub NaiveDateTime);

impl From<Timestamp> for NaiveDateTime {
    fn from(t: Timestamp) -> NaiveDateTime {
        t.0
    }
}

impl FromSql<sql_types::Timestamp, Sqlite> for Timestamp {
    fn from_sql(mut value: <Sqlite as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        if let Some(t) = parse_stored(value.read_text()) {
            return Ok(Timestamp(t));
        }
        <NaiveDateTime as FromSql<sql_types::Timestamp, Sqlite>>::from_sql(value).map(Timestamp)
    }
}

impl FromSql<sql_types::Timestamp, Pg> for Timestamp {
    fn from_sql(value: <Pg as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        <NaiveDateTime as FromSql<sql_types::Timestamp, Pg>>::from_sql(value).map(Timestamp)
    }
}

impl FromSql<sql_types::Timestamp, MultiBackend> for Timestamp {
    fn from_sql(value: <MultiBackend as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        value.from_sql::<Self, sql_types::Timestamp>()
    }
}

/// `YYYY-MM-DD HH:MM:SS`, then optionally `.` and 1 to 9 digits: what diesel's `ToSql`
/// writes on SQLite (`%F %T%.f`). `None` for anything else.
fn parse_stored(text: &str) -> Option<NaiveDateTime> {
    let b = text.as_bytes();
    if b.len() < 19
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b' '
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        b[range].iter().try_fold(0u32, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    let nanos = match &b[19..] {
        [] => 0,
        [b'.', digits @ ..] if (1..=9).contains(&digits.len()) => {
            number(20..b.len())? * 10u32.pow(9 - digits.len() as u32)
        }
        _ => return None,
    };
    let year = i32::try_from(number(0..4)?).ok()?;
    NaiveDate::from_ymd_opt(year, number(5..7)?, number(8..10)?)?.and_hms_nano_opt(
        number(11..13)?,
        number(14..16)?,
        number(17..19)?,
        nanos,
    )
}

#[cfg(test)]
mod tests {
    use diesel::connection::SimpleConnection;
    use diesel::prelude::*;
    use diesel::SqliteConnection;

    use super::*;

    /// Whatever diesel reads, read the same; where the fast path declines, diesel decides.
    #[test]
    fn reads_every_text_as_diesel_does() {
        let mut conn = SqliteConnection::establish(":memory:").unwrap();
        conn.batch_execute("CREATE TABLE t (at TEXT NOT NULL)")
            .unwrap();
        let texts = [
            "2026-11-22 14:36:37",
            "2026-11-22 14:36:37.5",
            "2026-11-22 14:36:37.123456",
            "2026-11-22 14:36:37.123456789",
            "0001-01-01 00:00:00",
            "9999-12-31 23:59:59.999999",
            "2024-02-29 12:00:00",
            // Not what diesel writes: diesel's parser takes these.
            "2026-11-22T14:36:37",
            "2026-11-22 14:36",
            "2026-11-22 14:36:37Z",
            "2026-11-22 14:36:37+02:00",
            "2460636.5",
            // Nobody's timestamps.
            "2023-02-29 12:00:00",
            "2026-11-22 24:00:00",
            "2026-11-22 14:36:37.",
            "2026-11-22 14:36:37.1234567890",
            "2026-11-2a 14:36:37",
            "",
        ];
        for text in texts {
            conn.batch_execute("DELETE FROM t").unwrap();
            diesel::sql_query("INSERT INTO t VALUES (?)")
                .bind::<sql_types::Text, _>(text)
                .execute(&mut conn)
                .unwrap();
            let query = diesel::dsl::sql::<sql_types::Timestamp>("SELECT at FROM t");
            let diesels = query.clone().get_result::<NaiveDateTime>(&mut conn).ok();
            let ours = query.get_result::<Timestamp>(&mut conn).ok().map(|t| t.0);
            assert_eq!(ours, diesels, "{text:?}");
        }
    }

    #[test]
    fn round_trips_what_diesel_writes() {
        let mut conn = SqliteConnection::establish(":memory:").unwrap();
        let t = NaiveDate::from_ymd_opt(2026, 11, 22)
            .unwrap()
            .and_hms_micro_opt(14, 36, 37, 120)
            .unwrap();
        let back: Timestamp = diesel::select(t.into_sql::<sql_types::Timestamp>())
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(back.0, t);
    }
}
