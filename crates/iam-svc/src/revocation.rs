//! What each change of identity revokes. Every function appends to the revocation feed
//! on the connection of the change, so the event commits (or not) with the change itself:
//! a change is never visible without its revocation, nor a revocation without its change.
//!
//! - [`token_revoked`]: one token (`Token`).
//! - [`password_changed`]: tokens and temporary keys issued until now stop working
//!   (`User`); stored credentials stay.
//! - [`lost_power`]: the user lost a role or a group: every credential of theirs created
//!   until now dies, stored ones too (`UserAccess`, durable), since a stored credential
//!   keeps the rights its user had when it was made (an SWR credential's push).
//! - [`user_gone`]: the user was disabled or deleted: every credential of theirs created
//!   until now dies, stored ones too (`UserAccess`, durable).
//! - [`project_gone`]: every credential scoped to the project dies (`Project`, durable).
//! - [`domain_gone`]: the domain was disabled: `UserAccess` for each of its users, and
//!   `Domain` for what belongs to no user (TCR service accounts).
//!
//! `now` is the time of the change as stored, read once by the request that makes it.

use chrono::{Duration, NaiveDateTime};
use service_kit::auth::wire::{RevocationKind, DURABLE_EVENT_RELEVANCE};
use service_kit::db::DbConnection;

use crate::error::IamError;
use crate::repo;

/// The longest a temporary key lives: lakeformation-svc refuses to issue longer ones
/// (its `MAX_LIFETIME_SECONDS`, 12 hours), whatever iam-svc's own token lifetime is.
pub const TEMPORARY_KEY_MAX_LIFETIME: Duration = Duration::hours(12);

/// A token was revoked; the event matters until the token would have expired anyway.
pub fn token_revoked(
    conn: &mut DbConnection,
    token_id: &str,
    expires_at: NaiveDateTime,
    now: NaiveDateTime,
) -> Result<(), IamError> {
    repo::revocations::append(conn, RevocationKind::Token, token_id, now, expires_at)?;
    Ok(())
}

/// The user's password changed: a `User` event, for the tokens and temporary keys issued
/// with the old one.
/// `token_lifetime` is the configured lifetime of a token
/// ([`crate::config::IamConfig::token_lifetime`]).
pub fn password_changed(
    conn: &mut DbConnection,
    token_lifetime: Duration,
    user_id: &str,
    now: NaiveDateTime,
) -> Result<(), IamError> {
    // The event must outlive every token and temporary key issued before it; after that it
    // has nothing left to refuse.
    let until = now + token_lifetime.max(TEMPORARY_KEY_MAX_LIFETIME);
    repo::revocations::append(conn, RevocationKind::User, user_id, now, until)?;
    Ok(())
}

/// The users lost a role or a group: what they made with it, stored credentials too, dies
/// (`UserAccess`); they make new ones with what they hold now.
pub fn lost_power(
    conn: &mut DbConnection,
    user_ids: &[String],
    now: NaiveDateTime,
) -> Result<(), IamError> {
    for id in user_ids {
        durable(conn, RevocationKind::UserAccess, id, now)?;
    }
    Ok(())
}

/// [`lost_power`] for every current member of the group (its grant changed, or it goes).
pub fn group_lost_power(
    conn: &mut DbConnection,
    group_id: &str,
    now: NaiveDateTime,
) -> Result<(), IamError> {
    let members = repo::groups::member_ids(conn, group_id)?;
    lost_power(conn, &members, now)
}

fn durable(
    conn: &mut DbConnection,
    kind: RevocationKind,
    subject: &str,
    now: NaiveDateTime,
) -> Result<(), IamError> {
    // Stored credentials (registry credentials, keys) can outlive any token: issuers must
    // see the event long enough to revoke them durably.
    repo::revocations::append(conn, kind, subject, now, now + DURABLE_EVENT_RELEVANCE)?;
    Ok(())
}

/// An admin changed the user: disabling cuts every credential (a new password is then
/// moot); a new password alone, the tokens and temporary keys issued with the old one.
pub fn user_updated(
    conn: &mut DbConnection,
    token_lifetime: Duration,
    user_id: &str,
    disabled: bool,
    new_password: bool,
    now: NaiveDateTime,
) -> Result<(), IamError> {
    if disabled {
        user_gone(conn, user_id, now)
    } else if new_password {
        password_changed(conn, token_lifetime, user_id, now)
    } else {
        Ok(())
    }
}

/// The user was disabled or deleted.
pub fn user_gone(
    conn: &mut DbConnection,
    user_id: &str,
    now: NaiveDateTime,
) -> Result<(), IamError> {
    durable(conn, RevocationKind::UserAccess, user_id, now)
}

/// The project was deleted.
pub fn project_gone(
    conn: &mut DbConnection,
    project_id: &str,
    now: NaiveDateTime,
) -> Result<(), IamError> {
    durable(conn, RevocationKind::Project, project_id, now)
}

/// The domain was disabled: each of its users is gone as far as credentials go, and so
/// is every credential of the domain that belongs to no user.
pub fn domain_gone(
    conn: &mut DbConnection,
    domain_id: &str,
    now: NaiveDateTime,
) -> Result<(), IamError> {
    for id in repo::users::ids_in_domain(conn, domain_id)? {
        user_gone(conn, &id, now)?;
    }
    durable(conn, RevocationKind::Domain, domain_id, now)
}
