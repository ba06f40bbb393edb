//! The `Authenticated` extractor: `X-Auth-Token` in, `Principal` out, or the service's 401.

use std::future::{ready, Ready};
use std::marker::PhantomData;

use actix_web::{web, FromRequest, HttpMessage, HttpRequest, ResponseError};

use super::signature::SignedOutcome;
use super::{AuthError, Principal, TokenVerifier};

/// The header that carries an IAM token.
pub const AUTH_TOKEN_HEADER: &str = "x-auth-token";

/// An authenticated caller. `E` is the service's error type, so refusals come out in the
/// service's own envelope: `type Caller = Authenticated<MyError>;`.
/// Needs `web::Data<TokenVerifier>` in the app data.
pub struct Authenticated<E> {
    pub principal: Principal,
    _error: PhantomData<fn() -> E>,
}

impl<E> std::ops::Deref for Authenticated<E> {
    type Target = Principal;

    fn deref(&self) -> &Principal {
        &self.principal
    }
}

impl<E> FromRequest for Authenticated<E>
where
    E: From<AuthError> + ResponseError + 'static,
{
    type Error = E;
    type Future = Ready<Result<Self, E>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        ready(
            authenticate(req)
                .map(|principal| Authenticated {
                    principal,
                    _error: PhantomData,
                })
                .map_err(E::from),
        )
    }
}

fn authenticate(req: &HttpRequest) -> Result<Principal, AuthError> {
    // A signed request was already checked by the `signed_requests` middleware; a
    // temporary key's issuer checked the key, this service's revocations still apply.
    if let Some(outcome) = req.extensions().get::<SignedOutcome>() {
        let principal = outcome.0.clone()?;
        if principal.is_temporary() {
            let verifier = req
                .app_data::<web::Data<TokenVerifier>>()
                .ok_or(AuthError::FeedStale)?;
            verifier.check_temporary(&principal, verifier.clock().now())?;
        }
        return Ok(principal);
    }
    let token = req
        .headers()
        .get(AUTH_TOKEN_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or(AuthError::Missing)?;
    let verifier = req
        .app_data::<web::Data<TokenVerifier>>()
        .ok_or(AuthError::FeedStale)?;
    let claims = verifier.verify(token, verifier.clock().now())?;
    Ok(Principal::from_token(claims))
}
