//! IAM v5's view of the permanent access keys: the same keys, the same quota and the same
//! policy as `/v3.0/OS-CREDENTIAL/credentials` ([`crate::credentials`] creates them), named
//! by user in the path and listed in pages with a marker. What v5 adds is here: reading
//! its list query, a page, and the check that a key named in a path is that user's.

use credential_core::random::{ACCESS_KEY_ALPHABET, ACCESS_KEY_LEN};
use service_kit::auth::Principal;
use service_kit::db::DbConnection;
use service_kit::http::json;

use crate::error::IamError;
use crate::policy::{self, Action};
use crate::repo::{
    self,
    access_keys::{AccessKey, AccessKeyChanges},
};
use crate::v5::V5Error;

/// `limit` when the query has none, and its range (as the vendor documents them).
pub const DEFAULT_LIMIT: i64 = 100;
pub const MAX_LIMIT: i64 = 200;

/// What a list asks for: at most `limit` keys after `marker` (a previous page's
/// `next_marker`: the last AK it showed).
#[derive(Debug, PartialEq, Eq)]
pub struct PageAsk {
    pub limit: i64,
    pub marker: Option<String>,
}

/// The list query, `limit` and `marker` at most once each and nothing else.
pub fn page_ask(pairs: Vec<(String, String)>) -> Result<PageAsk, V5Error> {
    let (mut limit, mut marker) = (None, None);
    for (name, value) in pairs {
        let slot = match name.as_str() {
            "limit" => &mut limit,
            "marker" => &mut marker,
            // The name is the caller's text: not quoted back.
            _ => return Err(bad("The query takes only limit and marker.")),
        };
        if slot.replace(value).is_some() {
            return Err(bad(&format!("{name} is given more than once.")));
        }
    }
    let limit = match limit {
        None => DEFAULT_LIMIT,
        Some(v) => parse_limit(&v)?,
    };
    if marker.as_deref().is_some_and(|m| !is_marker(m)) {
        return Err(V5Error::InvalidMarker);
    }
    Ok(PageAsk { limit, marker })
}

fn parse_limit(v: &str) -> Result<i64, V5Error> {
    let out_of_range = || bad(&format!("limit must be an integer from 1 to {MAX_LIMIT}."));
    if v.is_empty() || v.len() > 3 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return Err(out_of_range());
    }
    match v.parse::<i64>() {
        Ok(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        _ => Err(out_of_range()),
    }
}

/// The markers this service hands out are AKs; anything else was not one of its pages.
fn is_marker(m: &str) -> bool {
    m.len() == ACCESS_KEY_LEN && m.bytes().all(|b| ACCESS_KEY_ALPHABET.contains(&b))
}

fn bad(message: &str) -> V5Error {
    V5Error::Iam(IamError::BadRequest(message.into()))
}

/// A create takes no body (the SDK sends none); an empty JSON object is taken too, as
/// generic clients send one. Anything else would be a field accepted and ignored.
pub fn no_body(body: &[u8]) -> Result<(), V5Error> {
    json::optional::<json::NoFields>(body)
        .map(|_| ())
        .map_err(|_| bad("CreateAccessKeyV5 takes no request body."))
}

/// One page of a user's keys, and the marker of the next when there is one.
pub struct Page {
    pub keys: Vec<AccessKey>,
    pub next_marker: Option<String>,
}

/// The page `ask` names of `user_id`'s keys, if the caller may list them.
pub fn list(
    conn: &mut DbConnection,
    p: &Principal,
    user_id: &str,
    ask: &PageAsk,
) -> Result<Page, IamError> {
    let user = policy::user(conn, p, Action::ListCredentialsV5, user_id)?;
    // One more than asked: whether it comes tells whether there is a next page.
    let mut keys = repo::access_keys::page_for_user(
        conn,
        &user.domain_id,
        &user.id,
        ask.marker.as_deref(),
        ask.limit + 1,
    )?;
    let more = keys.len() > usize::try_from(ask.limit).unwrap_or(usize::MAX);
    keys.truncate(usize::try_from(ask.limit).unwrap_or(usize::MAX));
    let next_marker = more
        .then(|| keys.last().map(|k| k.access.clone()))
        .flatten();
    Ok(Page { keys, next_marker })
}

/// Set a key's status (`active` or `inactive`, which the body's type already holds to).
pub fn set_status(
    conn: &mut DbConnection,
    p: &Principal,
    user_id: &str,
    access: &str,
    status: &str,
) -> Result<AccessKey, IamError> {
    users_key(conn, p, Action::UpdateCredentialV5, user_id, access)?;
    let changes = AccessKeyChanges {
        status: Some(status.to_string()),
        description: None,
    };
    repo::access_keys::update(conn, access, &changes)?;
    repo::access_keys::find(conn, access)?.ok_or(IamError::NotFound("access key"))
}

/// Delete a key.
pub fn delete(
    conn: &mut DbConnection,
    p: &Principal,
    user_id: &str,
    access: &str,
) -> Result<(), IamError> {
    users_key(conn, p, Action::DeleteCredentialV5, user_id, access)?;
    repo::access_keys::delete(conn, access)?;
    Ok(())
}

/// A key with its last use.
pub fn last_used(
    conn: &mut DbConnection,
    p: &Principal,
    user_id: &str,
    access: &str,
) -> Result<AccessKey, IamError> {
    users_key(conn, p, Action::GetCredentialLastUsedV5, user_id, access)
}

/// The key `access` if the caller may do `action` on it and it is `user_id`'s: a key
/// named under another user's path is not found there, whoever asks.
fn users_key(
    conn: &mut DbConnection,
    p: &Principal,
    action: Action,
    user_id: &str,
    access: &str,
) -> Result<AccessKey, IamError> {
    let key = policy::access_key(conn, p, action, access)?;
    if key.user_id != user_id {
        return Err(IamError::NotFound("access key"));
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(q: &[(&str, &str)]) -> Vec<(String, String)> {
        q.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn reads_limit_and_marker() {
        assert_eq!(
            page_ask(pairs(&[])).ok(),
            Some(PageAsk {
                limit: DEFAULT_LIMIT,
                marker: None
            })
        );
        let ask = page_ask(pairs(&[
            ("limit", "200"),
            ("marker", "ABCDEFGHIJ0123456789"),
        ]));
        assert_eq!(
            ask.ok(),
            Some(PageAsk {
                limit: 200,
                marker: Some("ABCDEFGHIJ0123456789".into())
            })
        );
    }

    #[test]
    fn refuses_what_it_does_not_read() {
        for q in [
            vec![("limit", "0")],
            vec![("limit", "201")],
            vec![("limit", "-1")],
            vec![("limit", "+5")],
            vec![("limit", "1e2")],
            vec![("limit", "")],
            vec![("limit", "99999999999999999999")],
            vec![("limit", "1"), ("limit", "2")],
            vec![("offset", "0")],
        ] {
            let err = page_ask(pairs(&q)).expect_err("refused");
            assert!(
                matches!(err, V5Error::Iam(IamError::BadRequest(_))),
                "{q:?}"
            );
        }
        for m in ["abc", "abcdefghij0123456789", "ABCDEFGHIJ012345678=", "A"] {
            let err = page_ask(pairs(&[("marker", m)])).expect_err("refused");
            assert!(matches!(err, V5Error::InvalidMarker), "{m}");
        }
    }
}
