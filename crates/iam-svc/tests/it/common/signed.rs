//! Requests signed as huaweicloudsdkcore signs them, with a permanent key or with a
//! temporary one that [`FakeTemporaryIssuer`] (lakeformation-svc's part, faked) vouches for.

use actix_web::test;

/// What a request signed with a temporary key carries as its security token: the fake
/// issuer below answers for `user_id` without checking any MAC.
pub fn fake_security_token(user_id: &str) -> String {
    format!("fake-temporary:{user_id}")
}

/// A temporary-key issuer (lakeformation-svc's part) for tests: the security token names
/// the user; the answer is that user with their roles on the signed project, marked
/// temporary (issued a minute ago, valid for an hour).
pub struct FakeTemporaryIssuer {
    pub pool: service_kit::db::DbPool,
}

impl service_kit::auth::SignatureVerifier for FakeTemporaryIssuer {
    fn check(
        &self,
        check: service_kit::auth::wire::SignatureCheck,
    ) -> futures_util::future::LocalBoxFuture<
        '_,
        Result<service_kit::auth::Principal, service_kit::auth::AuthError>,
    > {
        use iam_svc::repo;
        use service_kit::auth::{AuthError, Principal, ProjectRef, TemporaryKey};
        let pool = self.pool.clone();
        Box::pin(async move {
            let token = check.security_token.clone().unwrap_or_default();
            let user_id = token
                .strip_prefix("fake-temporary:")
                .ok_or(AuthError::SecurityTokenRefused)?
                .to_string();
            let mut conn = pool
                .get()
                .map_err(|e| AuthError::IssuerUnavailable(e.to_string()))?;
            let user = repo::users::find(&mut conn, &user_id)
                .expect("user")
                .ok_or(AuthError::SecurityTokenRefused)?;
            let domain = repo::domains::find(&mut conn, &user.domain_id)
                .expect("domain")
                .expect("domain");
            let (project, roles) = match &check.project_id {
                Some(id) => {
                    let (name, roles) =
                        repo::grants::project_scope(&mut conn, &user.id, id, &domain.id)
                            .expect("scope")
                            .ok_or(AuthError::ScopeRefused)?;
                    (
                        Some(ProjectRef {
                            id: id.clone(),
                            name,
                        }),
                        roles,
                    )
                }
                None => (None, Vec::new()),
            };
            let now = chrono::Utc::now();
            Ok(Principal {
                user_id: user.id,
                user_name: user.name,
                domain_id: domain.id,
                domain_name: domain.name,
                project,
                roles,
                access_key: Some(check.access),
                temporary: Some(TemporaryKey {
                    issued_at: now - chrono::Duration::minutes(1),
                    expires_at: now + chrono::Duration::hours(1),
                    policy: None,
                }),
                token: None,
            })
        })
    }
}

/// A request signed like huaweicloudsdkcore signs it, scoped to `project_id`, with a
/// security token when the key is temporary.
pub fn sdk_signed(
    method: &str,
    path_and_query: &str,
    body: &[u8],
    key: (&str, &str),
    project_id: &str,
    security_token: Option<&str>,
) -> test::TestRequest {
    let date = chrono::Utc::now();
    sdk_signed_at(
        method,
        path_and_query,
        body,
        key,
        project_id,
        security_token,
        date,
    )
}

/// As [`sdk_signed`], dated `date` (`X-Sdk-Date`). A test request, not a call: tests
/// tamper with what was signed before sending it.
pub fn sdk_signed_at(
    method: &str,
    path_and_query: &str,
    body: &[u8],
    key: (&str, &str),
    project_id: &str,
    security_token: Option<&str>,
    date: chrono::DateTime<chrono::Utc>,
) -> test::TestRequest {
    let mut scope = vec![("X-Project-Id", project_id)];
    if let Some(t) = security_token {
        scope.push(("X-Security-Token", t));
    }
    sdk_signed_with(method, path_and_query, body, key, &scope, date)
}

/// A GET signed as the SDK signs it with `scope` as its only scope headers: none for
/// `BasicCredentials` without a project id (its project lookup), `X-Domain-Id` for
/// `GlobalCredentials`, and `X-Security-Token` with a temporary key.
pub fn sdk_signed_get(
    path_and_query: &str,
    key: (&str, &str),
    scope: &[(&str, &str)],
) -> test::TestRequest {
    sdk_signed_with("GET", path_and_query, b"", key, scope, chrono::Utc::now())
}

fn sdk_signed_with(
    method: &str,
    path_and_query: &str,
    body: &[u8],
    (ak, sk): (&str, &str),
    scope: &[(&str, &str)],
    date: chrono::DateTime<chrono::Utc>,
) -> test::TestRequest {
    use credential_core::sign::huawei::{format_sdk_date, sign_request, SignableRequest};
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let date = format_sdk_date(date);
    let mut headers = vec![
        ("Content-Type", "application/json;charset=utf-8"),
        ("Host", "iam.test"),
        ("User-Agent", "test-agent"),
        ("X-Sdk-Date", date.as_str()),
    ];
    headers.extend_from_slice(scope);
    headers.sort_by_key(|(n, _)| n.to_lowercase());
    let names: Vec<String> = headers.iter().map(|(n, _)| n.to_lowercase()).collect();
    let req = SignableRequest {
        method,
        path,
        query,
        headers: &headers,
        body,
    };
    let authorization = sign_request(&req, ak, sk.as_bytes(), &names, &date).expect("sign");
    let mut t = test::TestRequest::default()
        .method(method.parse().expect("method"))
        .uri(path_and_query)
        .insert_header(("Authorization", authorization));
    for (n, v) in headers {
        t = t.insert_header((n, v));
    }
    t.set_payload(body.to_vec())
}

/// A request signed with `user_id`'s temporary key (see [`FakeTemporaryIssuer`]).
pub fn temporary_signed(
    method: &str,
    path_and_query: &str,
    body: &serde_json::Value,
    user_id: &str,
    project_id: &str,
) -> test::TestRequest {
    let bytes = if body.is_null() {
        Vec::new()
    } else {
        serde_json::to_vec(body).expect("json")
    };
    let token = fake_security_token(user_id);
    sdk_signed(
        method,
        path_and_query,
        &bytes,
        (
            "TEMPAKFAKE0000000000",
            "temporary-secret-not-checked-by-the-fake",
        ),
        project_id,
        Some(&token),
    )
}
