//! Issuing temporary credentials: the SDK's three request shapes, what is stored (never
//! the secret), rights that never grow, the directory check with iam-svc, scope and
//! malformed requests.

use std::collections::HashSet;

use actix_web::http::StatusCode;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use lakeformation_svc::repo::{self, Issuance};
use service_kit::auth::SignatureVerifier;

use crate::common::*;

fn is_access_key(s: &str) -> bool {
    s.len() == 20
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

fn is_secret_key(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn issuance(h: &Harness, access: &str) -> Option<Issuance> {
    let mut conn = h.db.pool.get().unwrap();
    repo::issuance_by_access(&mut conn, access).unwrap()
}

fn issuance_count(h: &Harness) -> i64 {
    let mut conn = h.db.pool.get().unwrap();
    lakeformation_svc::schema::issuances::table
        .count()
        .get_result(&mut conn)
        .unwrap()
}

#[actix_web::test]
async fn the_three_sdk_shapes_issue_a_credential() {
    let (h, app) = Harness::start().await;
    let alice = h.token("alice", PROJECT, &["member"]);
    let instance = create_instance(&app, &alice, PROJECT, "lake-1").await;

    let mut seen = Vec::new();
    for body in [None, Some("{}"), Some(r#"{"roles": ["member"]}"#)] {
        let (status, json) = request_credential(&app, &alice, PROJECT, &instance, body).await;
        assert_eq!(status, StatusCode::OK, "{body:?}: {json}");
        let access = json["access"].as_str().unwrap();
        let secret = json["secret"].as_str().unwrap();
        let token = json["security_token"].as_str().unwrap();
        assert!(is_access_key(access), "{access}");
        assert!(
            is_secret_key(secret),
            "secret of {} characters",
            secret.len()
        );
        assert!(!token.is_empty());
        // The token is sealed: the secret shows neither in it nor in what it decodes to.
        assert!(!token.contains(secret));
        let decoded = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(token)
            .expect("base64url");
        assert!(!decoded
            .windows(secret.len())
            .any(|w| w == secret.as_bytes()));
        // One hour, in UTC ending in Z.
        let expires = json["expires_at"].as_str().unwrap();
        assert!(expires.ends_with('Z'), "{expires}");
        let left = DateTime::parse_from_rfc3339(expires)
            .unwrap()
            .with_timezone(&Utc)
            - Utc::now();
        assert!(
            (3590..=3600).contains(&left.num_seconds()),
            "{}",
            left.num_seconds()
        );

        let row = issuance(&h, access).expect("an issuance record");
        assert_eq!(row.instance_id, instance);
        assert_eq!(row.project_id, PROJECT);
        assert_eq!(row.domain_id, DOMAIN);
        assert_eq!(row.user_id, "alice-id");
        assert_eq!(row.roles, "member");
        assert_eq!(
            (row.user_names.as_str(), row.groups_requested.as_str()),
            ("", "")
        );
        assert!(row.revoked_at.is_none());
        assert_eq!((row.expires_at - row.issued_at).num_seconds(), 3600);
        // No column holds the secret or the token.
        let all_columns = format!("{row:?}");
        assert!(!all_columns.contains(secret), "{all_columns}");
        assert!(!all_columns.contains(token));
        seen.push((access.to_string(), secret.to_string()));
    }
    // Every call is a new credential.
    let accesses: HashSet<_> = seen.iter().map(|(a, _)| a).collect();
    let secrets: HashSet<_> = seen.iter().map(|(_, s)| s).collect();
    assert_eq!((accesses.len(), secrets.len()), (3, 3));
    assert_eq!(issuance_count(&h), 3);
    // No names asked: iam-svc was not bothered.
    assert!(h.iam.seen().is_empty());
}

#[actix_web::test]
async fn the_secret_is_never_stored() {
    let h = Harness::shared().await;
    let app = h.app().await;
    let alice = h.token("alice", PROJECT, &["member"]);
    let instance = create_instance(&app, &alice, PROJECT, "lake-1").await;
    let issued = issue(&app, &alice, &instance, Some(r#"{"user_names": ["bob"]}"#)).await;

    let rows: Vec<Issuance> = {
        let mut conn = h.db.pool.get().unwrap();
        lakeformation_svc::schema::issuances::table
            .select(Issuance::as_select())
            .load(&mut conn)
            .unwrap()
    };
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].access, issued.access);
    assert_eq!(rows[0].user_names, "bob");
    let text = format!("{rows:?}");
    assert!(!text.contains(&issued.secret), "{text}");
    assert!(!text.contains(&issued.token), "{text}");

    if h.db.backend == service_kit::db::Backend::Sqlite {
        // Checkpoint the WAL so every page is in the main file, then scan every file.
        use diesel::connection::SimpleConnection;
        h.db.pool
            .get()
            .unwrap()
            .batch_execute("PRAGMA wal_checkpoint(TRUNCATE)")
            .unwrap();
        let mut scanned = 0;
        for suffix in ["", "-wal", "-shm"] {
            if let Ok(bytes) = std::fs::read(format!("{}{suffix}", h.db.url)) {
                scanned += 1;
                for needle in [&issued.secret, &issued.token] {
                    assert!(
                        !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                        "secret material in the database file{suffix}"
                    );
                }
                if suffix.is_empty() {
                    // The scan is meaningful: the record itself is in the file.
                    assert!(bytes
                        .windows(issued.access.len())
                        .any(|w| w == issued.access.as_bytes()));
                }
            }
        }
        assert!(scanned >= 1);
    }
}

#[actix_web::test]
async fn rights_never_grow() {
    let (h, app) = Harness::start().await;
    let admin = h.token("bob", PROJECT, &["admin"]);
    let member = h.token("alice", PROJECT, &["member"]);
    let reader = h.token("carol", PROJECT, &["readonly"]);
    let instance = create_instance(&app, &admin, PROJECT, "lake-1").await;

    // A role the caller does not hold: 400, naming it.
    for body in [
        r#"{"roles": ["admin"]}"#,
        r#"{"roles": ["member", "admin"]}"#,
    ] {
        let (status, json) =
            request_credential(&app, &member, PROJECT, &instance, Some(body)).await;
        assert_lf_error(status, &json, 400, "common.01000001");
        assert!(
            json["error_msg"].as_str().unwrap().contains("admin"),
            "{json}"
        );
    }
    let (status, json) = request_credential(
        &app,
        &reader,
        PROJECT,
        &instance,
        Some(r#"{"roles": ["member"]}"#),
    )
    .await;
    assert_lf_error(status, &json, 400, "common.01000001");
    // A role that does not exist: 404, even for an admin.
    for who in [&member, &admin] {
        let (status, json) = request_credential(
            &app,
            who,
            PROJECT,
            &instance,
            Some(r#"{"roles": ["superuser"]}"#),
        )
        .await;
        assert_lf_error(status, &json, 404, "common.01000001");
        assert!(
            json["error_msg"].as_str().unwrap().contains("superuser"),
            "{json}"
        );
    }
    // No role in the project at all: 403.
    let nobody = h.token("dave", PROJECT, &[]);
    let (status, json) = request_credential(&app, &nobody, PROJECT, &instance, None).await;
    assert_lf_error(status, &json, 403, "403");
    assert_eq!(issuance_count(&h), 0, "a refusal issued something");

    // Lesser roles can be asked for; without roles the caller's own are used.
    let cases: [(&str, &str, Option<&str>, &[&str]); 5] = [
        (
            "member asks readonly",
            &member,
            Some(r#"{"roles": ["readonly"]}"#),
            &["readonly"],
        ),
        ("readonly asks nothing", &reader, None, &["readonly"]),
        ("readonly asks {}", &reader, Some("{}"), &["readonly"]),
        ("admin asks nothing", &admin, None, &["admin"]),
        (
            "admin asks two lesser",
            &admin,
            Some(r#"{"roles": ["member", "readonly"]}"#),
            &["member", "readonly"],
        ),
    ];
    for (what, who, body, want) in cases {
        let issued = issue(&app, who, &instance, body).await;
        let row = issuance(&h, &issued.access).unwrap();
        assert_eq!(row.roles, want.join(","), "{what}");
        // The credential acts with exactly these roles.
        let principal = h.temporary().check(good_check(&issued)).await.unwrap();
        assert_eq!(principal.roles, want, "{what}");
    }
}

#[actix_web::test]
async fn user_names_and_groups_must_exist_in_the_account() {
    let (h, app) = Harness::start().await;
    let alice = h.token("alice", PROJECT, &["member"]);
    let instance = create_instance(&app, &alice, PROJECT, "lake-1").await;

    let issued = issue(
        &app,
        &alice,
        &instance,
        Some(r#"{"user_names": ["alice"], "groups": ["analysts"]}"#),
    )
    .await;
    let row = issuance(&h, &issued.access).unwrap();
    assert_eq!(row.user_names, "alice");
    assert_eq!(row.groups_requested, "analysts");
    let seen = h.iam.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].domain_id, DOMAIN);
    assert_eq!(seen[0].user_names, ["alice"]);
    assert_eq!(seen[0].groups, ["analysts"]);

    let refused = [
        (r#"{"user_names": ["mallory"]}"#, "mallory"),
        (r#"{"user_names": ["alice", "mallory", "eve"]}"#, "mallory"),
        (r#"{"groups": ["nobody"]}"#, "nobody"),
        (
            r#"{"user_names": ["bob"], "groups": ["analysts", "nobody"]}"#,
            "nobody",
        ),
    ];
    for (body, missing) in refused {
        let (status, json) = request_credential(&app, &alice, PROJECT, &instance, Some(body)).await;
        assert_lf_error(status, &json, 404, "common.01000001");
        assert!(
            json["error_msg"].as_str().unwrap().contains(missing),
            "{body}: {json}"
        );
    }
    assert_eq!(issuance_count(&h), 1);
}

#[actix_web::test]
async fn iam_svc_refusing_the_internal_credential_is_503() {
    let h = Harness::with_iam_credential("not-the-internal-credential").await;
    let app = h.app().await;
    let alice = h.token("alice", PROJECT, &["member"]);
    let instance = create_instance(&app, &alice, PROJECT, "lake-1").await;
    let (status, json) = request_credential(
        &app,
        &alice,
        PROJECT,
        &instance,
        Some(r#"{"user_names": ["alice"]}"#),
    )
    .await;
    assert_lf_error(status, &json, 503, "common.01000008");
    assert!(h.iam.seen().is_empty());
    // Without names iam-svc is not asked.
    issue(&app, &alice, &instance, None).await;
}

#[actix_web::test]
async fn scope_instance_and_authentication() {
    let (h, app) = Harness::start().await;
    let alice = h.token("alice", PROJECT, &["member"]);
    let outsider = h.token("zed", OTHER_PROJECT, &["admin"]);
    let instance = create_instance(&app, &alice, PROJECT, "lake-1").await;
    let foreign = create_instance(&app, &outsider, OTHER_PROJECT, "lake-1").await;

    // Scoped to another project: 403.
    let (status, json) = request_credential(&app, &outsider, PROJECT, &instance, None).await;
    assert_lf_error(status, &json, 403, "403");
    // Unknown instance, or another project's: 404.
    for id in ["00000000-0000-0000-0000-000000000000", foreign.as_str()] {
        let (status, json) = request_credential(&app, &alice, PROJECT, id, None).await;
        assert_lf_error(status, &json, 404, "common.01000001");
    }
    // No token, a garbage token: 401.
    let (status, json, _) = app
        .post(&format!("/v1/{PROJECT}/instances/{instance}/credential"))
        .await
        .parts();
    assert_lf_error(status, &json, 401, "APIG.1002");
    let (status, json) = request_credential(&app, "garbage", PROJECT, &instance, None).await;
    assert_lf_error(status, &json, 401, "APIG.1002");
    assert_eq!(issuance_count(&h), 0);
    // The outsider gets its own project's.
    let (status, json) = request_credential(&app, &outsider, OTHER_PROJECT, &foreign, None).await;
    assert_eq!(status, StatusCode::OK, "{json}");
}

#[actix_web::test]
async fn malformed_bodies_are_400() {
    let (h, app) = Harness::start().await;
    let alice = h.token("alice", PROJECT, &["member"]);
    let instance = create_instance(&app, &alice, PROJECT, "lake-1").await;
    let too_many = serde_json::json!({ "user_names": vec!["alice"; 51] }).to_string();
    let bodies = [
        "[]",
        "[[\"alice\"]]",
        r#"{"unknown": 1}"#,
        r#"{"roles": ["member"], "expires_in": 60}"#,
        r#"{"roles": "member"}"#,
        r#"{"roles": [1]}"#,
        r#"{"user_names": ["al\u0000ice"]}"#,
        "not json",
        "{",
        "null",
        "7",
        too_many.as_str(),
    ];
    for body in bodies {
        let (status, json) = request_credential(&app, &alice, PROJECT, &instance, Some(body)).await;
        assert_lf_error(status, &json, 400, "common.01000001");
        assert!(
            !json["error_msg"].as_str().unwrap().contains("al\u{0}ice"),
            "{json}"
        );
    }
    // Whitespace is no body at all.
    let (status, json) = request_credential(&app, &alice, PROJECT, &instance, Some(" \n")).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(issuance_count(&h), 1);
}

#[actix_web::test]
async fn long_lists_of_existing_names_never_fail_inside() {
    assert_eq!((LONG_USER.len(), LONG_GROUP.len()), (64, 64));
    let (h, app) = Harness::start().await;
    let alice = h.token("alice", PROJECT, &["member"]);
    let instance = create_instance(&app, &alice, PROJECT, "lake-1").await;

    // Names of iam-svc's 64 characters, within MAX_NAMES (50), all existing: the record
    // keeps them joined by commas in 2048 characters, so 31 fit (2014) and 32 (2079) are
    // a clear 400 on every backend, not a 500 from PostgreSQL's VARCHAR(2048).
    for field in ["user_names", "groups"] {
        let name = if field == "user_names" {
            LONG_USER
        } else {
            LONG_GROUP
        };
        for count in [32, 50] {
            let body = serde_json::json!({ field: vec![name; count] }).to_string();
            let (status, json) =
                request_credential(&app, &alice, PROJECT, &instance, Some(&body)).await;
            assert_lf_error(status, &json, 400, "common.01000001");
            assert!(
                json["error_msg"].as_str().unwrap().contains("2048"),
                "{json}"
            );
        }
        let body = serde_json::json!({ field: vec![name; 31] }).to_string();
        let issued = issue(&app, &alice, &instance, Some(&body)).await;
        let row = issuance(&h, &issued.access).unwrap();
        let stored = if field == "user_names" {
            row.user_names
        } else {
            row.groups_requested
        };
        assert_eq!(stored, vec![name; 31].join(","));
        // The credential works.
        h.temporary().check(good_check(&issued)).await.unwrap();
    }
    assert_eq!(issuance_count(&h), 2);
}

/// A temporary key cannot mint itself a successor with a fresh lifetime.
#[actix_web::test]
async fn temporary_credentials_cannot_issue_credentials() {
    let (h, app) = Harness::start().await;
    let admin = h.token("alice", "p1", &["admin"]);
    let instance = create_instance(&app, &admin, "p1", "temp-chain").await;
    let issued = issue(&app, &admin, &instance, None).await;
    let path = format!("/v1/p1/instances/{instance}/credential");
    let (status, body, _) = app
        .post(&path)
        .body(b"{}")
        .signed(issued.sdk("p1"))
        .await
        .parts();
    assert_lf_error(status, &body, 403, "403");
}

#[actix_web::test]
async fn a_key_never_outlives_the_token_it_was_issued_with() {
    let (h, app) = Harness::start().await;
    let alice = h.token("alice", PROJECT, &["member"]);
    let instance = create_instance(&app, &alice, PROJECT, "lake-1").await;
    let soon = Utc::now() + Duration::minutes(10);
    let short = h.token_until(DOMAIN, "alice", PROJECT, &["member"], soon);
    let (status, body) = request_credential(&app, &short, PROJECT, &instance, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let expires: DateTime<Utc> = body["expires_at"].as_str().unwrap().parse().unwrap();
    assert!(expires <= soon, "{expires} is past the token's {soon}");
    assert!(
        expires > soon - Duration::seconds(1),
        "capped at the token's expiry: {expires}"
    );
    // A token that outlives the configured lifetime leaves the lifetime alone.
    let (status, body) = request_credential(&app, &alice, PROJECT, &instance, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let expires: DateTime<Utc> = body["expires_at"].as_str().unwrap().parse().unwrap();
    assert!(expires <= Utc::now() + Duration::hours(1));
    assert!(expires > Utc::now() + Duration::minutes(59));
}
