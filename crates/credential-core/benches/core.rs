//! In-process microbenchmarks of the pure rules every request goes through (issue 7):
//! SDK-HMAC-SHA256 canonicalization and check, IAM token verification, and credential
//! name validation. `cargo bench -p credential-core`; the HTTP suite is `make bench`.

use chrono::{DateTime, Duration, Utc};
use credential_core::iam_token::{verify_token, RoleRef, TokenClaims, TokenScope, TokenSigningKey};
use credential_core::names::validate_swr_credential_name;
use credential_core::sign::huawei::{self, SignableRequest};
use criterion::{black_box, criterion_group, criterion_main, Criterion};

/// A fixed instant: credential-core never reads the clock, and neither do its benches.
fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default()
}

fn ok<T, E: std::fmt::Debug>(r: Result<T, E>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("benchmark set-up failed: {e:?}"),
    }
}

/// What swr-svc verifies for a signed list of long-term credentials.
fn signatures(c: &mut Criterion) {
    let headers = [
        ("Host", "127.0.0.1:8082"),
        ("X-Project-Id", "ce2fc693159f4897b5293f3f6063d7c3"),
        ("X-Sdk-Date", "20270115T080000Z"),
        ("User-Agent", "huaweicloud-usdk-python/3.0"),
        ("Accept", "*/*"),
    ];
    let unsigned = SignableRequest {
        method: "GET",
        path: "/v2/ce2fc693159f4897b5293f3f6063d7c3/instances/3d6d7b2f-2a26-4c51-a6a2-b6dd84324bd8/long-term-credentials",
        query: "offset=0&limit=100&self_only=true",
        headers: &headers,
        body: b"",
    };
    let signed_names = ["host".into(), "x-project-id".into(), "x-sdk-date".into()];
    let secret = b"Wm9xQ2hSbGxVdnNZc0FKc0hqQ0dZbWxXcXhaSk5m";
    let authorization = ok(huawei::sign_request(
        &unsigned,
        "COI5KLBC5E9GRYW1BXY2",
        secret,
        &signed_names,
        "20270115T080000Z",
    ));
    let mut with_auth = headers.to_vec();
    with_auth.push(("Authorization", authorization.as_str()));
    let req = SignableRequest {
        headers: &with_auth,
        ..unsigned
    };

    c.bench_function(
        "sdk-hmac: prepare_verification (parse + canonical request)",
        |b| b.iter(|| huawei::prepare_verification(black_box(&req))),
    );
    let prepared = ok(huawei::prepare_verification(&req));
    c.bench_function("sdk-hmac: verify (HMAC-SHA256)", |b| {
        b.iter(|| {
            huawei::verify(
                black_box(secret),
                black_box(&prepared.string_to_sign),
                &prepared.authorization.signature,
            )
        })
    });
}

fn tokens(c: &mut Criterion) {
    let key = ok(TokenSigningKey::from_pkcs8(
        "k1",
        &ok(TokenSigningKey::generate_pkcs8()),
    ));
    let claims = TokenClaims {
        token_id: "0f6b4a0e6c1d4a8e9b2f3c4d5e6f7a8b".into(),
        user_id: "5b0a5d3c2e1f4a6b8c9d0e1f2a3b4c5d".into(),
        user_name: "admin".into(),
        domain_id: "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d".into(),
        domain_name: "local".into(),
        scope: TokenScope::Project {
            id: "ce2fc693159f4897b5293f3f6063d7c3".into(),
            name: "local-1".into(),
            domain_id: "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d".into(),
            domain_name: "local".into(),
        },
        roles: vec![RoleRef {
            id: "7a3c1f0e2b5d4e6f8a9b0c1d2e3f4a01".into(),
            name: "admin".into(),
        }],
        methods: vec!["password".into()],
        issued_at: now(),
        expires_at: now() + Duration::hours(24),
    };
    let token = ok(key.sign(&claims));
    let public = key.public_key();
    c.bench_function("iam token: verify (Ed25519 + JSON)", |b| {
        b.iter(|| verify_token(black_box(&token), &public, now()))
    });
}

fn names(c: &mut Criterion) {
    c.bench_function(
        "name: validate_swr_credential_name (valid, 24 chars)",
        |b| b.iter(|| validate_swr_credential_name(black_box("ci-bot.release_2027-v2.1"))),
    );
}

criterion_group!(benches, signatures, tokens, names);
criterion_main!(benches);
