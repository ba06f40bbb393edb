//! `/service/token`: the realm a registry sends its clients to (distribution token auth).
//!
//! - `GET ?service=S&scope=...&account=U` with HTTP Basic credentials (docker, skopeo,
//!   oci-client). `account` is ignored: the Basic username is who logs in.
//! - `POST` form `grant_type=password&username=U&password=P&service=S&scope=...`
//!   (containerd; Basic credentials stand in when the form has none). We never hand out
//!   refresh tokens, so `grant_type=refresh_token` is answered 400 `UNSUPPORTED`, and
//!   containerd falls back to GET.
//!
//! The answer is `{"token", "access_token", "expires_in", "issued_at"}` with an ES256 JWT
//! whose access is what [`super::access`] allows of the requested scopes; asking for more
//! than is allowed is not an error, the entry just lists fewer actions. No scope is a login
//! check (empty access), and needs credentials. A request with scopes and no credentials is
//! anonymous: it gets `pull` on public namespaces and nothing else. Errors use
//! distribution's envelope `{"errors":[{"code","message"}]}`. The password is never logged.

use actix_web::http::header::{self, ContentType};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use chrono::{DateTime, SecondsFormat, Utc};
use credential_core::registry_jwt::{
    RegistryAccess, RegistryClaims, RegistryJwtError, RegistrySigner,
};
use credential_core::SecretString;
use futures_util::future::LocalBoxFuture;
use serde::{Deserialize, Serialize};

use super::access::{asked_namespaces, granted_access, NamespaceRecord, RegistryLogin};
use super::basic::{basic_credentials, BasicCredentials};
use super::scope::{parse_scopes, ScopeRequest};
use crate::clock::Clock;

/// Where the endpoint is mounted.
pub const TOKEN_PATH: &str = "/service/token";
/// Shortest token lifetime: registries check `exp` with 60 s of leeway, and clients
/// treat less than 60 s as 60 s anyway.
pub const MIN_LIFETIME_SECONDS: i64 = 60;
/// What a 401 asks the client for.
const CHALLENGE: &str = "Basic realm=\"registry token\"";
const LONGEST_SERVICE: usize = 255;

/// Signs registry tokens: the key, the `iss` registries expect, and how long tokens live.
#[derive(Debug)]
pub struct RegistryTokenIssuer {
    pub signer: RegistrySigner,
    /// The registries' `auth.token.issuer`.
    pub issuer: String,
    /// Token lifetime; values below [`MIN_LIFETIME_SECONDS`] are raised to it.
    pub lifetime_seconds: i64,
    /// The service's clock: a token's `iat`, `nbf` and `exp` are read from it.
    pub clock: Clock,
}

/// Why a registry login was not granted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RegistryAuthError {
    /// Unknown user, wrong password, or a disabled, expired or deleted credential, or a
    /// credential of another registry: the caller sees one 401 for all of them.
    #[error("bad credentials")]
    BadCredentials,
    /// The credential store could not be asked; the cause is logged, never shown.
    #[error("credential store unavailable: {0}")]
    Unavailable(String),
}

/// The service's credentials and namespaces, in `web::Data<dyn RegistryAuthorizer>`:
/// `web::Data::from(Arc::new(checker) as Arc<dyn RegistryAuthorizer>)`.
pub trait RegistryAuthorizer: Send + Sync + 'static {
    /// Check Basic credentials for the registry named `service`: who logged in, which
    /// owner's namespaces the credential belongs to, and its rights there; with the
    /// namespaces called `names` of that registry (whoever owns them, unknown names left
    /// out), read in the same visit to the store.
    fn authenticate(
        &self,
        service: &str,
        username: &str,
        password: &str,
        names: Vec<String>,
    ) -> LocalBoxFuture<'_, Result<(RegistryLogin, Vec<NamespaceRecord>), RegistryAuthError>>;

    /// The namespaces called `names` of the registry `service`, whoever owns them; names
    /// with no namespace are left out. For a request without credentials.
    fn namespaces(
        &self,
        service: &str,
        names: Vec<String>,
    ) -> LocalBoxFuture<'_, Result<Vec<NamespaceRecord>, RegistryAuthError>>;
}

/// The 200 body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TokenResponse {
    pub token: String,
    /// The same token, under the OAuth2 name.
    pub access_token: String,
    pub expires_in: i64,
    /// RFC 3339, UTC, whole seconds.
    pub issued_at: String,
}

/// A refused token request, mapped to a status and distribution's error envelope.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// 400 `INVALID_REQUEST`; the message is safe to show.
    #[error("{0}")]
    InvalidRequest(String),
    /// 400 `UNSUPPORTED`: a grant type we do not serve.
    #[error("{0}")]
    Unsupported(String),
    /// 401 `UNAUTHORIZED` with a Basic challenge.
    #[error("{0}")]
    Unauthorized(&'static str),
    /// 503 `UNAVAILABLE`; the cause goes to the log only.
    #[error("registry login unavailable: {0}")]
    Unavailable(String),
    /// 500 `UNKNOWN`; the cause goes to the log only.
    #[error("registry token could not be signed: {0}")]
    Signing(#[from] RegistryJwtError),
}

impl TokenError {
    fn code_and_message(&self) -> (&'static str, String) {
        match self {
            TokenError::InvalidRequest(m) => ("INVALID_REQUEST", m.clone()),
            TokenError::Unsupported(m) => ("UNSUPPORTED", m.clone()),
            TokenError::Unauthorized(m) => ("UNAUTHORIZED", (*m).to_string()),
            TokenError::Unavailable(_) => (
                "UNAVAILABLE",
                "The registry login service is temporarily unavailable.".into(),
            ),
            TokenError::Signing(_) => ("UNKNOWN", "Internal error.".into()),
        }
    }
}

impl ResponseError for TokenError {
    fn status_code(&self) -> StatusCode {
        match self {
            TokenError::InvalidRequest(_) | TokenError::Unsupported(_) => StatusCode::BAD_REQUEST,
            TokenError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            TokenError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            TokenError::Signing(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let (code, message) = self.code_and_message();
        let mut res = HttpResponse::build(self.status_code());
        if matches!(self, TokenError::Unauthorized(_)) {
            res.insert_header((header::WWW_AUTHENTICATE, CHALLENGE));
        }
        res.insert_header(ContentType::json())
            .json(serde_json::json!({"errors": [{"code": code, "message": message}]}))
    }
}

const NO_CREDENTIALS: &str = "Authentication required: send HTTP Basic credentials.";
const BAD_CREDENTIALS: &str = "Invalid username or password.";

impl RegistryTokenIssuer {
    /// Sign a token for `subject` (empty when anonymous) on the registry `service` at
    /// `now`, holding `access`.
    pub fn issue(
        &self,
        subject: &str,
        service: &str,
        access: Vec<RegistryAccess>,
        now: DateTime<Utc>,
    ) -> Result<TokenResponse, RegistryJwtError> {
        let lifetime = self.lifetime_seconds.max(MIN_LIFETIME_SECONDS);
        let iat = now.timestamp();
        let claims = RegistryClaims {
            iss: self.issuer.clone(),
            sub: subject.to_string(),
            aud: service.to_string(),
            exp: iat + lifetime,
            nbf: iat,
            iat,
            jti: uuid::Uuid::new_v4().to_string(),
            access,
        };
        let token = self.signer.sign(&claims)?;
        log::info!(
            "registry token {} for {:?} on {:?}: {}",
            claims.jti,
            claims.sub,
            claims.aud,
            describe(&claims.access)
        );
        Ok(TokenResponse {
            access_token: token.clone(),
            token,
            expires_in: lifetime,
            issued_at: now.to_rfc3339_opts(SecondsFormat::Secs, true),
        })
    }
}

fn describe(access: &[RegistryAccess]) -> String {
    if access.is_empty() {
        return "login check".into();
    }
    access
        .iter()
        .map(|a| format!("{}:{}:{}", a.kind, a.name, a.actions.join(",")))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Mount `GET` and `POST` [`TOKEN_PATH`]. Needs `web::Data<RegistryTokenIssuer>` and
/// `web::Data<dyn RegistryAuthorizer>` in the app data.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource(TOKEN_PATH)
            .route(web::get().to(get_token))
            .route(web::post().to(post_token)),
    );
}

type Pairs = Vec<(String, String)>;

/// Distribution's error envelope: `{"errors": [{"code", "message"}]}`.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct TokenErrors {
    errors: Vec<TokenErrorEntry>,
}

/// One entry of [`TokenErrors`]: `INVALID_REQUEST`, `UNSUPPORTED`, `UNAUTHORIZED`,
/// `UNAVAILABLE` or `UNKNOWN`.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct TokenErrorEntry {
    code: String,
    message: String,
}

#[utoipa::path(get, path = "/service/token", tag = "registry",
    summary = "A registry token for docker, skopeo and other distribution clients",
    params(
        ("service" = String, Query, description = "The registry's service name."),
        ("scope" = Option<Vec<String>>, Query, explode = true,
            description = "`repository:<namespace>/<name>:<actions>`, repeatable; none is a login check."),
        ("account" = Option<String>, Query, description = "Ignored: the Basic user name is who logs in."),
    ),
    security((), ("registry_basic" = [])),
    responses(
        (status = 200, description = "A signed token with the access granted.", body = TokenResponse),
        (status = 400, description = "A malformed query.", body = TokenErrors),
        (status = 401, description = "No or bad credentials.", body = TokenErrors,
            headers(("WWW-Authenticate" = String, description = "`Basic realm=\"registry token\"`"))),
        (status = 500, description = "The token could not be signed (`UNKNOWN`).", body = TokenErrors),
        (status = 503, description = "The credential store does not answer.", body = TokenErrors),
    ))]
pub(crate) async fn get_token(
    req: HttpRequest,
    issuer: web::Data<RegistryTokenIssuer>,
    authorizer: web::Data<dyn RegistryAuthorizer>,
) -> Result<HttpResponse, TokenError> {
    let pairs = form_pairs(req.query_string())?;
    let (service, scopes) = service_and_scopes(&pairs)?;
    let credentials = presented_credentials(&req)?;
    grant(&issuer, &authorizer, &service, &scopes, credentials).await
}

/// The form containerd posts (`grant_type=password`).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub(crate) struct TokenForm {
    /// `password`; `refresh_token` is answered 400 `UNSUPPORTED`.
    grant_type: String,
    service: String,
    /// Space-separated scopes, or repeated.
    scope: Option<String>,
    username: Option<String>,
    password: Option<String>,
    client_id: Option<String>,
}

#[utoipa::path(post, path = "/service/token", tag = "registry",
    summary = "A registry token for containerd (OAuth2 password grant)",
    request_body(content = TokenForm, content_type = "application/x-www-form-urlencoded"),
    security((), ("registry_basic" = [])),
    responses(
        (status = 200, description = "A signed token with the access granted.", body = TokenResponse),
        (status = 400, description = "Not a form, or a grant type other than `password`.", body = TokenErrors),
        (status = 401, description = "No or bad credentials.", body = TokenErrors,
            headers(("WWW-Authenticate" = String, description = "`Basic realm=\"registry token\"`"))),
        (status = 500, description = "The token could not be signed (`UNKNOWN`).", body = TokenErrors),
        (status = 503, description = "The credential store does not answer.", body = TokenErrors),
    ))]
pub(crate) async fn post_token(
    req: HttpRequest,
    body: web::Bytes,
    issuer: web::Data<RegistryTokenIssuer>,
    authorizer: web::Data<dyn RegistryAuthorizer>,
) -> Result<HttpResponse, TokenError> {
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim())
        .is_some_and(|v| v.eq_ignore_ascii_case("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(TokenError::InvalidRequest(
            "The body must be application/x-www-form-urlencoded.".into(),
        ));
    }
    let text = std::str::from_utf8(&body)
        .map_err(|_| TokenError::InvalidRequest("The form is not UTF-8.".into()))?;
    let mut pairs = form_pairs(text)?;
    match single(&pairs, "grant_type")?.as_deref() {
        Some("password") => {}
        Some("refresh_token") => {
            return Err(TokenError::Unsupported(
                "Refresh tokens are not issued here: use grant_type=password, or GET with HTTP Basic credentials.".into(),
            ))
        }
        Some(_) => {
            return Err(TokenError::Unsupported(
                "grant_type must be password.".into(),
            ))
        }
        None => {
            return Err(TokenError::InvalidRequest(
                "grant_type is required.".into(),
            ))
        }
    }
    let (service, scopes) = service_and_scopes(&pairs)?;
    let username = single(&pairs, "username")?;
    // Moved out of the form, so the only copy left is wiped when it is dropped.
    let password = pairs
        .iter_mut()
        .find(|(k, _)| k == "password")
        .map(|(_, v)| SecretString::new(std::mem::take(v)));
    let credentials = match (username, password) {
        (Some(username), Some(password))
            if !username.is_empty() && !password.expose().is_empty() =>
        {
            Some(BasicCredentials { username, password })
        }
        (None, None) => presented_credentials(&req)?,
        _ => return Err(TokenError::Unauthorized(NO_CREDENTIALS)),
    };
    grant(&issuer, &authorizer, &service, &scopes, credentials).await
}

async fn grant(
    issuer: &RegistryTokenIssuer,
    authorizer: &web::Data<dyn RegistryAuthorizer>,
    service: &str,
    scopes: &[ScopeRequest],
    credentials: Option<BasicCredentials>,
) -> Result<HttpResponse, TokenError> {
    let names = asked_namespaces(scopes);
    let (login, namespaces) = match credentials {
        Some(credentials) => {
            let (login, namespaces) = log_in(authorizer, service, credentials, names).await?;
            (Some(login), namespaces)
        }
        // A login check must prove something; an anonymous pull may go on.
        None if scopes.is_empty() => return Err(TokenError::Unauthorized(NO_CREDENTIALS)),
        None if names.is_empty() => (None, Vec::new()),
        None => {
            let namespaces = authorizer
                .namespaces(service, names)
                .await
                .map_err(|e| unavailable(service, e))?;
            (None, namespaces)
        }
    };
    let access = granted_access(scopes, login.as_ref(), &namespaces);
    let subject = login.as_ref().map_or("", |l| l.subject.as_str());
    let body = issuer.issue(subject, service, access, issuer.clock.now())?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(body))
}

/// The request's Basic credentials; `None` when it sends no `Authorization` at all (an
/// anonymous pull). A header that is there but unusable is refused rather than taken
/// for anonymous, so a client's broken login never passes silently.
fn presented_credentials(req: &HttpRequest) -> Result<Option<BasicCredentials>, TokenError> {
    if !req.headers().contains_key(header::AUTHORIZATION) {
        return Ok(None);
    }
    basic_credentials(req)
        .map(Some)
        .ok_or(TokenError::Unauthorized(NO_CREDENTIALS))
}

async fn log_in(
    authorizer: &web::Data<dyn RegistryAuthorizer>,
    service: &str,
    credentials: BasicCredentials,
    names: Vec<String>,
) -> Result<(RegistryLogin, Vec<NamespaceRecord>), TokenError> {
    let BasicCredentials { username, password } = credentials;
    match authorizer
        .authenticate(service, &username, password.expose(), names)
        .await
    {
        Ok(found) => Ok(found),
        Err(RegistryAuthError::BadCredentials) => {
            log::info!("registry login refused for {username:?} on {service:?}");
            Err(TokenError::Unauthorized(BAD_CREDENTIALS))
        }
        Err(e) => Err(unavailable(service, e)),
    }
}

/// A store error as the client's 503; the cause goes to the log only.
fn unavailable(service: &str, error: RegistryAuthError) -> TokenError {
    log::error!("registry login on {service:?} failed: {error}");
    TokenError::Unavailable(error.to_string())
}

fn form_pairs(text: &str) -> Result<Pairs, TokenError> {
    web::Query::<Pairs>::from_query(text)
        .map(web::Query::into_inner)
        .map_err(|_| TokenError::InvalidRequest("Malformed query or form.".into()))
}

/// The value of a parameter that may appear at most once.
fn single(pairs: &Pairs, key: &str) -> Result<Option<String>, TokenError> {
    let mut values = pairs.iter().filter(|(k, _)| k == key).map(|(_, v)| v);
    match (values.next(), values.next()) {
        (first, None) => Ok(first.cloned()),
        _ => Err(TokenError::InvalidRequest(format!(
            "{key} must be given once."
        ))),
    }
}

fn service_and_scopes(pairs: &Pairs) -> Result<(String, Vec<ScopeRequest>), TokenError> {
    let service = single(pairs, "service")?
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| TokenError::InvalidRequest("service is required.".into()))?;
    if service.len() > LONGEST_SERVICE || service.chars().any(char::is_control) {
        return Err(TokenError::InvalidRequest("service is malformed.".into()));
    }
    let values: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "scope")
        .map(|(_, v)| v.clone())
        .collect();
    let scopes = parse_scopes(&values).map_err(|e| TokenError::InvalidRequest(e.to_string()))?;
    Ok((service, scopes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_table() {
        let cases = [
            (
                TokenError::InvalidRequest("x".into()),
                400,
                "INVALID_REQUEST",
                "x",
            ),
            (TokenError::Unsupported("y".into()), 400, "UNSUPPORTED", "y"),
            (
                TokenError::Unauthorized(BAD_CREDENTIALS),
                401,
                "UNAUTHORIZED",
                BAD_CREDENTIALS,
            ),
            (
                TokenError::Unavailable("db down at 10.0.0.1".into()),
                503,
                "UNAVAILABLE",
                "The registry login service is temporarily unavailable.",
            ),
            (
                TokenError::Signing(RegistryJwtError::Signing),
                500,
                "UNKNOWN",
                "Internal error.",
            ),
        ];
        for (err, status, code, message) in cases {
            let res = err.error_response();
            assert_eq!(res.status().as_u16(), status, "{err:?}");
            assert_eq!(err.code_and_message(), (code, message.to_string()));
            assert_eq!(
                res.headers().contains_key(header::WWW_AUTHENTICATE),
                status == 401,
                "{err:?}"
            );
        }
    }

    #[test]
    fn single_values_must_not_repeat() {
        let pairs: Pairs = vec![
            ("service".into(), "a".into()),
            ("service".into(), "b".into()),
        ];
        assert!(service_and_scopes(&pairs).is_err());
        let pairs: Pairs = vec![("service".into(), " ".into())];
        assert!(service_and_scopes(&pairs).is_err());
    }
}
