//! `/internal/v1/*` checks the internal credential before it reads anything of the
//! request: a caller without it learns nothing, not even whether their body parses.

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;

use crate::common::*;

/// (method, path, content type, body) of requests that would be refused for what they
/// carry, were the credential not checked first.
const REQUESTS: [(&str, &str, &str, &str); 9] = [
    (
        "POST",
        "/internal/v1/signature-checks",
        "application/json",
        "{not json",
    ),
    (
        "POST",
        "/internal/v1/signature-checks",
        "application/json",
        r#"{"unknown": 1}"#,
    ),
    (
        "POST",
        "/internal/v1/directory-checks",
        "application/json",
        "{not json",
    ),
    ("POST", "/internal/v1/directory-checks", "text/plain", "x"),
    (
        "POST",
        "/internal/v1/signature-releases",
        "application/json",
        "{not json",
    ),
    ("GET", "/internal/v1/revocations?after=not-a-number", "", ""),
    ("GET", "/internal/v1/token-keys", "", ""),
    ("GET", "/internal/v1/no-such-route", "", ""),
    ("PUT", "/internal/v1/token-keys", "", ""),
];

fn request(
    (method, uri, content_type, body): (&str, &str, &str, &'static str),
    credential: Option<&str>,
) -> TestRequest {
    let mut req = TestRequest::default()
        .method(method.parse().expect("method"))
        .uri(uri);
    if !content_type.is_empty() {
        req = req.insert_header(("Content-Type", content_type));
    }
    if let Some(c) = credential {
        req = req.insert_header(("X-Internal-Token", c));
    }
    req.set_payload(body)
}

#[actix_web::test]
async fn every_internal_route_refuses_a_missing_or_wrong_credential_before_reading_the_body() {
    let h = Harness::new().await;
    let app = h.app.clone();
    let same_length = "x".repeat(INTERNAL_SECRET.len());
    for credential in [None, Some("wrong"), Some(""), Some(same_length.as_str())] {
        for r in REQUESTS {
            let (status, body, _) = app.call(request(r, credential)).await.parts();
            assert_eq!(
                status,
                StatusCode::UNAUTHORIZED,
                "{r:?} {credential:?}: {body}"
            );
            assert_keystone_error(status, &body, 401, MSG_NEEDS_AUTH);
        }
    }
    // With the credential, the same requests are judged on what they carry.
    let expected = [400, 400, 400, 400, 400, 400, 200, 404, 404];
    for (r, code) in REQUESTS.into_iter().zip(expected) {
        let (status, body, _) = app.call(request(r, Some(INTERNAL_SECRET))).await.parts();
        assert_eq!(status.as_u16(), code, "{r:?}: {body}");
    }
}
