//! What a caller may do with a token they name (the subject of `/v3/auth/tokens`):
//! validate it, check it, revoke it. The subject is verified like any token; the policy
//! decides whether it is the caller's to see (the tokens of other domains are not).

use std::sync::Arc;

use chrono::NaiveDateTime;
use credential_core::iam_token::TokenClaims;
use service_kit::auth::Principal;
use service_kit::db::DbConnection;

use crate::error::IamError;
use crate::policy::{self, Action, Target};
use crate::revocation;
use crate::state::AppState;

/// Verify the subject token and ask the policy whether the caller may do `action` with
/// it. Validation answers the same for every standing, so it reads no database.
pub fn inspect(
    state: &AppState,
    p: &Principal,
    subject: &str,
    action: Action,
) -> Result<Arc<TokenClaims>, IamError> {
    let claims = verify(state, subject)?;
    policy::check_blind(p, action, target(&claims, p)).map_err(token_named)?;
    Ok(claims)
}

/// Revoke the subject token ([`verify`]'s claims), if the policy lets the caller.
pub fn revoke(
    conn: &mut DbConnection,
    p: &Principal,
    claims: &TokenClaims,
    now: NaiveDateTime,
) -> Result<(), IamError> {
    policy::check(conn, p, Action::RevokeToken, target(claims, p)).map_err(token_named)?;
    let expires_at = claims.expires_at.naive_utc();
    revocation::token_revoked(conn, &claims.token_id, expires_at, now)
}

/// The subject token's claims. An unknown, expired or revoked token is not found,
/// whoever asks.
pub fn verify(state: &AppState, subject: &str) -> Result<Arc<TokenClaims>, IamError> {
    state
        .verifier
        .verify(subject, state.clock.now())
        .map_err(|e| {
            if e.is_unavailable() {
                IamError::from(e)
            } else {
                IamError::NotFound("token")
            }
        })
}

fn target<'a>(claims: &'a TokenClaims, p: &Principal) -> Target<'a> {
    Target {
        domain_id: &claims.domain_id,
        own: claims.user_id == p.user_id,
    }
}

fn token_named(e: IamError) -> IamError {
    match e {
        IamError::NotFound(_) => IamError::NotFound("token"),
        other => other,
    }
}
