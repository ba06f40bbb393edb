//! Secrets stay secret: no plaintext password at rest (the SQLite files byte by byte, and
//! every text column on either backend), nothing secret in `Debug` output, response
//! bodies or the log, whatever credential headers a request carries.

use std::sync::{Mutex, Once};

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use credential_core::iam_token::TokenSigningKey;
use credential_core::seal::{Keyring, SealingKey};
use credential_core::SecretString;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use iam_svc::bootstrap;
use serde_json::json;
use service_kit::auth::InternalCredential;
use service_kit::db::{Backend, DbConnection};

use crate::common::*;

/// A password that passes the password rule and appears nowhere else.
fn marker_password(tag: &str) -> String {
    format!("Pw{tag}-{}-Zz9!", uuid::Uuid::new_v4().simple())
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Every (table, column) that can hold text.
fn text_columns(conn: &mut DbConnection, backend: Backend) -> Vec<(String, String)> {
    let tables: Vec<String> = match backend {
        Backend::Sqlite => diesel::sql_query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' ORDER BY name",
        ),
        Backend::Postgres => diesel::sql_query(
            "SELECT table_name::text AS name FROM information_schema.tables
             WHERE table_schema = current_schema() ORDER BY table_name",
        ),
    }
    .load::<Name>(conn)
    .expect("tables")
    .into_iter()
    .map(|n| n.name)
    .collect();
    let mut out = Vec::new();
    for table in tables {
        let columns = match backend {
            // SQLite stores any value in any column: check them all.
            Backend::Sqlite => diesel::sql_query(format!("SELECT name FROM pragma_table_info('{table}')")),
            Backend::Postgres => diesel::sql_query(format!(
                "SELECT column_name::text AS name FROM information_schema.columns
                 WHERE table_schema = current_schema() AND table_name = '{table}'
                   AND data_type IN ('text', 'character varying', 'character', 'bytea', 'json', 'jsonb')"
            )),
        }
        .load::<Name>(conn)
        .expect("columns");
        out.extend(columns.into_iter().map(|c| (table.clone(), c.name)));
    }
    out
}

/// The (table, column) pairs where `needle` occurs.
fn columns_containing(
    conn: &mut DbConnection,
    backend: Backend,
    needle: &str,
) -> Vec<(String, String)> {
    let columns = text_columns(conn, backend);
    assert!(
        columns
            .iter()
            .any(|(t, c)| t == "users" && c == "password_hash"),
        "{columns:?}"
    );
    columns
        .into_iter()
        .filter(|(table, column)| {
            let sql = format!(
                "SELECT COUNT(*) AS n FROM \"{table}\" WHERE CAST(\"{column}\" AS TEXT) LIKE '%{needle}%'"
            );
            diesel::sql_query(&sql).get_result::<Count>(conn).unwrap_or_else(|e| panic!("{sql}: {e}")).n > 0
        })
        .collect()
}

fn file_contains(path: &str, needle: &[u8]) -> bool {
    std::fs::read(path)
        .map(|bytes| bytes.windows(needle.len()).any(|w| w == needle))
        .unwrap_or(false)
}

#[actix_web::test]
async fn a_users_password_is_never_stored_or_shown_in_clear() {
    let (h, app, admin) = Harness::shared().await.admin_scene().await;
    let first = marker_password("a");
    let second = marker_password("b");

    let body = app
        .post("/v3/users")
        .token(&admin)
        .json(&json!({ "user": { "name": "secretive", "password": first } }))
        .await
        .assert_created()
        .json();
    let user_id = body["user"]["id"].as_str().expect("id").to_string();
    assert!(!body.to_string().contains(&first), "{body}");
    assert!(!body.to_string().contains("password_hash"), "{body}");

    let body = app
        .patch(&format!("/v3/users/{user_id}"))
        .token(&admin)
        .json(&json!({ "user": { "password": second } }))
        .await
        .assert_ok()
        .json();
    assert!(!body.to_string().contains(&second), "{body}");

    // The password works, so it was stored (as something else).
    app.login(
        bootstrap::DOMAIN,
        "secretive",
        &second,
        serde_json::Value::Null,
    )
    .await;
    let body = app
        .get(&format!("/v3/users/{user_id}"))
        .token(&admin)
        .await
        .assert_ok()
        .json();
    for pw in [&first, &second] {
        assert!(!body.to_string().contains(pw.as_str()), "{body}");
    }

    let mut conn = h.db.pool.get().expect("conn");
    let row = iam_svc::repo::users::find(&mut conn, &user_id)
        .expect("query")
        .expect("row");
    assert!(!row.password_hash.contains(&first) && !row.password_hash.contains(&second));
    let debug = format!("{row:?}");
    assert!(!debug.contains(&row.password_hash), "{debug}");
    assert!(!debug.contains("password_hash"), "{debug}");
    assert!(
        debug.contains(&user_id),
        "the Debug output still names the row: {debug}"
    );

    for pw in [&first, &second, &ADMIN_PASSWORD.to_string()] {
        assert_eq!(
            columns_containing(&mut conn, h.db.backend, pw),
            Vec::<(String, String)>::new(),
            "{pw} stored"
        );
    }
    drop(conn);

    if h.db.backend == Backend::Sqlite {
        // The database file and its WAL, byte by byte: a page or a log frame may hold
        // what no query returns any more (the first password was overwritten).
        let files: Vec<String> = ["", "-wal", "-shm"]
            .iter()
            .map(|s| format!("{}{s}", h.db.url))
            .collect();
        assert!(
            std::path::Path::new(&files[0]).is_file(),
            "{} missing",
            files[0]
        );
        let total: u64 = files
            .iter()
            .filter_map(|f| std::fs::metadata(f).ok())
            .map(|m| m.len())
            .sum();
        assert!(total > 0);
        for file in &files {
            for pw in [&first, &second, &ADMIN_PASSWORD.to_string()] {
                assert!(
                    !file_contains(file, pw.as_bytes()),
                    "{file} holds a plaintext password"
                );
            }
        }
        // The check can see text: the user name is in there.
        assert!(files.iter().any(|f| file_contains(f, b"secretive")));
    }
}

#[test]
fn debug_output_of_secret_holders_is_redacted() {
    let secret = marker_password("dbg");
    let s = SecretString::from(secret.as_str());
    assert_eq!(format!("{s:?}"), "[REDACTED]");
    assert_eq!(format!("{s}"), "[REDACTED]");
    assert_eq!(format!("{:?}", Some(s.clone())), "Some([REDACTED])");

    let internal = InternalCredential::new(SecretString::from(secret.as_str()));
    assert!(!format!("{internal:?}").contains(&secret), "{internal:?}");

    let signing = TokenSigningKey::from_pkcs8(
        "k-debug",
        &TokenSigningKey::generate_pkcs8().expect("pkcs8"),
    )
    .expect("key");
    assert_eq!(
        format!("{signing:?}"),
        "TokenSigningKey { kid: \"k-debug\" }"
    );

    let master = SealingKey::generate("m-debug").expect("key");
    let raw = master.to_base64();
    let ring = Keyring::new(master, Vec::new()).expect("ring");
    let printed = format!("{ring:?}");
    assert!(!printed.contains(raw.expose()), "{printed}");
    assert!(printed.contains("m-debug"), "{printed}");
}

// ---- The log ------------------------------------------------------------------------

/// Every log line of this test process.
static LINES: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        let line = format!("{} {} {}", record.level(), record.target(), record.args());
        if let Ok(mut lines) = LINES.lock() {
            lines.push(line);
        }
    }

    fn flush(&self) {}
}

static CAPTURE: Capture = Capture;

fn capture_logs() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        log::set_logger(&CAPTURE)
            .expect("another logger is installed in this test binary; the log capture needs to be the only one");
        log::set_max_level(log::LevelFilter::Trace);
    });
}

fn captured() -> Vec<String> {
    LINES.lock().map(|l| l.clone()).unwrap_or_default()
}

#[actix_web::test]
async fn the_log_never_holds_tokens_passwords_or_credential_headers() {
    capture_logs();
    let h = Harness::new().await;
    let app = h.app.clone();
    let run = uuid::Uuid::new_v4().simple().to_string();
    let marker = |what: &str| format!("{what}-{run}");
    let password = marker_password("log");
    let request_ids: Vec<String> = (0..8).map(|n| format!("secrets-{n}-{run}")).collect();

    // A real token, used as X-Auth-Token and as X-Subject-Token.
    let token = app.admin_token(&h).await;
    let with_all = |req: TestRequest, n: usize, auth: &str| {
        req.insert_header(("X-Request-Id", request_ids[n].as_str()))
            .insert_header(("X-Auth-Token", auth.to_string()))
            .insert_header((
                "Authorization",
                format!("Bearer {}", marker("authorization")),
            ))
            .insert_header(("X-Security-Token", marker("x-security-token")))
            .insert_header(("X-TC-Token", marker("x-tc-token")))
    };
    let cases: Vec<(TestRequest, StatusCode)> = vec![
        (with_all(TestRequest::get().uri(&format!("/v3/projects?secret={}", marker("query"))), 0, &token), StatusCode::OK),
        (with_all(TestRequest::get().uri("/v3/projects"), 1, &format!("v1.test-key.{}.c2ln", marker("bad-token"))), StatusCode::UNAUTHORIZED),
        (
            with_all(TestRequest::get().uri("/v3/auth/tokens"), 2, &token).insert_header(("X-Subject-Token", token.clone())),
            StatusCode::OK,
        ),
        (
            with_all(TestRequest::post().uri("/v3/auth/tokens"), 3, &token)
                .set_json(password_body(bootstrap::DOMAIN, bootstrap::USER, &password, serde_json::Value::Null)),
            StatusCode::UNAUTHORIZED,
        ),
        (
            // serde quotes a wrongly typed value in its message; it must not travel on.
            with_all(TestRequest::post().uri("/v3/users"), 4, &token)
                .set_json(json!({ "user": { "name": "typo", "password": password, "enabled": marker("wrong-type") } })),
            StatusCode::BAD_REQUEST,
        ),
        (
            with_all(TestRequest::post().uri("/v3/users"), 5, &token)
                .set_json(json!({ "user": { "name": "logged", "password": password } })),
            StatusCode::CREATED,
        ),
        (
            with_all(TestRequest::post().uri("/v3/auth/tokens"), 6, &token)
                .set_json(password_body(bootstrap::DOMAIN, "logged", &password, serde_json::Value::Null)),
            StatusCode::CREATED,
        ),
        (
            with_all(TestRequest::delete().uri("/v3/auth/tokens"), 7, &token).insert_header(("X-Subject-Token", token.clone())),
            StatusCode::NO_CONTENT,
        ),
    ];
    let secrets = [
        token.clone(),
        token.rsplit('.').next().expect("signature").to_string(),
        password.clone(),
        ADMIN_PASSWORD.to_string(),
        marker("query"),
        marker("bad-token"),
        marker("authorization"),
        marker("x-security-token"),
        marker("x-tc-token"),
        marker("wrong-type"),
    ];
    for (n, (req, expected)) in cases.into_iter().enumerate() {
        let (status, body, headers) = app.call(req).await.parts();
        assert_eq!(status, expected, "case {n}: {body}");
        let text = body.to_string();
        for secret in &secrets[2..] {
            assert!(
                !text.contains(secret.as_str()),
                "case {n} answered with a secret: {text}"
            );
        }
        assert_eq!(
            headers.get("x-request-id").and_then(|v| v.to_str().ok()),
            Some(request_ids[n].as_str())
        );
    }

    let lines = captured();
    for (n, id) in request_ids.iter().enumerate() {
        assert!(
            lines
                .iter()
                .any(|l| l.contains(" access ") && l.contains(id.as_str())),
            "no access line for case {n} in {lines:#?}"
        );
    }
    for line in &lines {
        for secret in &secrets {
            assert!(
                !line.contains(secret.as_str()),
                "the log holds a secret: {line}"
            );
        }
    }
}

#[actix_web::test]
async fn the_log_never_holds_a_secret_access_key() {
    capture_logs();
    let (h, app, token) = Harness::with_admin().await;
    let body = app
        .post("/v3.0/OS-CREDENTIAL/credentials")
        .header("X-Auth-Token", token)
        .json(&serde_json::json!({ "credential": { "user_id": h.boot.user_id } }))
        .await
        .assert_created()
        .json();
    let ak = body["credential"]["access"].as_str().unwrap().to_string();
    let sk = body["credential"]["secret"].as_str().unwrap().to_string();
    let now = chrono::Utc::now();
    let project = h.boot.project_id.clone();
    // A good signed request, a refused one and a signed body that fails validation.
    let uri = "/v3.0/OS-CREDENTIAL/credentials";
    app.call(crate::access_keys::signed(
        "GET", uri, b"", &ak, &sk, &project, now,
    ))
    .await
    .assert_ok();
    let wrong = format!("{sk}x");
    app.call(crate::access_keys::signed(
        "GET", uri, b"", &ak, &wrong, &project, now,
    ))
    .await
    .assert_unauthorized();
    let bad_body = format!(r#"{{"credential": {{"user_id": 7, "description": "{sk}"}}}}"#);
    app.call(crate::access_keys::signed(
        "POST",
        uri,
        bad_body.as_bytes(),
        &ak,
        &sk,
        &project,
        now,
    ))
    .await
    .assert_bad_request();
    let leaked: Vec<String> = captured().into_iter().filter(|l| l.contains(&sk)).collect();
    assert!(leaked.is_empty(), "SK in the log: {leaked:?}");
}
