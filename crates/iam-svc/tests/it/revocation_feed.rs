//! "A revoked token is refused within 10 s by a second process": the real `iam-svc`
//! binary on a shared database, another process's `TokenVerifier` fed by `IamFeed`, and a
//! second replica on the same database. Also the internal credential on `/internal/*`.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::http::StatusCode;
use base64::Engine as _;
use chrono::Utc;
use credential_core::iam_token::{TokenScope, TokenSigningKey};
use credential_core::SecretString;
use iam_svc::bootstrap;
use serde_json::{json, Value};
use service_kit::auth::{AuthError, IamFeed, InternalCredential, TokenVerifier, VerifierOptions};

use crate::common::*;

/// The documented bound: a revoked token dies within 10 s everywhere.
const REVOCATION_BOUND: Duration = Duration::from_secs(10);

/// Key material in a folder of its own, removed on drop.
struct KeyFiles {
    dir: PathBuf,
    kid: String,
    public_key: String,
    internal_secret: String,
}

impl KeyFiles {
    fn new() -> KeyFiles {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let dir = std::env::temp_dir().join("iam-svc-feed-tests").join(&id);
        std::fs::create_dir_all(&dir).expect("key dir");
        let kid = format!("feed-{}", &id[..12]);
        let pkcs8 = TokenSigningKey::generate_pkcs8().expect("pkcs8");
        let public_key = TokenSigningKey::from_pkcs8(kid.as_str(), &pkcs8)
            .expect("key")
            .public_key()
            .public_key;
        let line = format!(
            "{kid} {}\n",
            base64::engine::general_purpose::STANDARD.encode(&pkcs8[..])
        );
        std::fs::write(dir.join("signing.keys"), line).expect("signing key file");
        let internal_secret = format!(
            "{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        );
        std::fs::write(dir.join("internal-credential"), &internal_secret).expect("credential file");
        let master = service_kit::keyfiles::new_master_key_line().expect("master key");
        std::fs::write(dir.join("master.keys"), master).expect("master key file");
        KeyFiles {
            dir,
            kid,
            public_key,
            internal_secret,
        }
    }

    fn credential(&self) -> InternalCredential {
        InternalCredential::new(SecretString::from(self.internal_secret.as_str()))
    }
}

impl Drop for KeyFiles {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A running `iam-svc serve`; killed when dropped.
struct Replica {
    child: Child,
    base_url: String,
    log: PathBuf,
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

fn client() -> awc::Client {
    awc::Client::builder()
        .timeout(Duration::from_secs(10))
        .finish()
}

/// Start the real binary on `db_url` with the key files; wait (at most 15 s) for /readyz.
async fn spawn_replica(db_url: &str, keys: &KeyFiles, name: &str) -> Replica {
    let mut last_log = String::new();
    // A port picked free can be taken before the child binds it: try a few.
    for attempt in 0..3 {
        let port = free_port();
        let log = keys.dir.join(format!("{name}-{attempt}.log"));
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_iam-svc"));
        // Configuration in the test's own environment must not leak into the child.
        for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("IAM__")) {
            cmd.env_remove(k);
        }
        let base_url = format!("http://127.0.0.1:{port}");
        cmd.arg("serve")
            .env("IAM__DATABASE__URL", db_url)
            .env("IAM__SERVER__PORT", port.to_string())
            .env("IAM__SERVER__WORKERS", "2")
            .env(
                "IAM__TOKENS__SIGNING_KEY_FILE",
                keys.dir.join("signing.keys"),
            )
            .env(
                "IAM__INTERNAL__CREDENTIAL_FILE",
                keys.dir.join("internal-credential"),
            )
            .env(
                "IAM__ACCESS_KEYS__MASTER_KEY_FILE",
                keys.dir.join("master.keys"),
            )
            .env("IAM__PASSWORDS__PBKDF2_ITERATIONS", "1000")
            .env("IAM__PUBLIC_URL", &base_url)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("log file"));
        let child = cmd.spawn().expect("spawn iam-svc");
        let mut replica = Replica {
            child,
            base_url,
            log,
        };
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(15) {
            if let Ok(Some(_)) = replica.child.try_wait() {
                break;
            }
            if let Ok(res) = client()
                .get(format!("{}/readyz", replica.base_url))
                .send()
                .await
            {
                if res.status() == StatusCode::OK {
                    return replica;
                }
            }
            actix_web::rt::time::sleep(Duration::from_millis(100)).await;
        }
        last_log = std::fs::read_to_string(&replica.log).unwrap_or_default();
    }
    panic!("iam-svc {name} did not become ready; its log:\n{last_log}");
}

/// POST, PUT, GET or DELETE with headers; status, JSON body (or Null) and the subject token.
async fn send(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> (StatusCode, Value, Option<String>) {
    let c = client();
    let mut req = match method {
        "POST" => c.post(url),
        "DELETE" => c.delete(url),
        "PUT" => c.put(url),
        _ => c.get(url),
    };
    for (k, v) in headers {
        req = req.insert_header((*k, *v));
    }
    let mut res = match body {
        Some(b) => req.send_json(&b).await,
        None => req.send().await,
    }
    .unwrap_or_else(|e| panic!("{method} {url}: {e}"));
    let subject = res
        .headers()
        .get("x-subject-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let bytes = res.body().await.expect("body");
    let value = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()))
    };
    (res.status(), value, subject)
}

async fn http_login(r: &Replica, user: &str, password: &str, scope: Value) -> String {
    let url = format!("{}/v3/auth/tokens", r.base_url);
    let (status, body, token) = send(
        "POST",
        &url,
        &[],
        Some(password_body(bootstrap::DOMAIN, user, password, scope)),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "login of {user} at {}: {body}",
        r.base_url
    );
    token.expect("X-Subject-Token")
}

async fn http_revoke(r: &Replica, caller: &str, subject: &str) {
    let url = format!("{}/v3/auth/tokens", r.base_url);
    let (status, body, _) = send(
        "DELETE",
        &url,
        &[("X-Auth-Token", caller), ("X-Subject-Token", subject)],
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "revoke: {body}");
}

/// A verifier in this process fed from `r`'s internal API, primed with keys and events.
async fn fed_verifier(r: &Replica, keys: &KeyFiles) -> (Arc<TokenVerifier>, IamFeed) {
    let verifier = Arc::new(TokenVerifier::new(VerifierOptions::default()));
    let feed = IamFeed::new(
        r.base_url.clone(),
        keys.credential(),
        verifier.clone(),
        Duration::from_secs(1),
    );
    feed.refresh_keys().await.expect("keys from iam-svc");
    feed.pull_revocations()
        .await
        .expect("revocations from iam-svc");
    (verifier, feed)
}

/// Pull and verify until the token is refused as revoked; the time it took.
async fn refused_via_feed(
    feed: &IamFeed,
    verifier: &TokenVerifier,
    token: &str,
    since: Instant,
) -> Duration {
    loop {
        feed.pull_revocations().await.expect("pull");
        match verifier.verify(token, Utc::now()) {
            Err(AuthError::Revoked) => return since.elapsed(),
            Ok(_) => {}
            Err(other) => panic!("refused for the wrong reason: {other:?}"),
        }
        assert!(
            since.elapsed() < REVOCATION_BOUND * 2,
            "still accepted {:?} after revocation",
            since.elapsed()
        );
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
}

#[actix_web::test]
async fn a_revoked_token_is_refused_within_10s_by_another_process() {
    let h = Harness::shared().await;
    let keys = KeyFiles::new();
    let iam = spawn_replica(&h.db.url, &keys, "a").await;
    let token = http_login(
        &iam,
        bootstrap::USER,
        ADMIN_PASSWORD,
        project_scope(&h.boot.project_id),
    )
    .await;

    let (verifier, feed) = fed_verifier(&iam, &keys).await;
    let claims = verifier
        .verify(&token, Utc::now())
        .expect("valid before revocation");
    assert_eq!(claims.user_id, h.boot.user_id);
    assert_eq!(claims.domain_id, h.boot.domain_id);
    assert!(matches!(&claims.scope, TokenScope::Project { id, .. } if *id == h.boot.project_id));
    assert!(claims.roles.iter().any(|r| r.name == "admin"));

    // The user revokes their own token.
    let since = Instant::now();
    http_revoke(&iam, &token, &token).await;
    let took = refused_via_feed(&feed, &verifier, &token, since).await;
    assert!(took <= REVOCATION_BOUND, "refused only after {took:?}");

    // Other tokens of the same user are untouched.
    let fresh = http_login(
        &iam,
        bootstrap::USER,
        ADMIN_PASSWORD,
        project_scope(&h.boot.project_id),
    )
    .await;
    feed.pull_revocations().await.expect("pull");
    assert!(verifier.verify(&fresh, Utc::now()).is_ok());
}

#[actix_web::test]
async fn disabling_a_user_kills_their_tokens_in_another_process_within_10s() {
    let h = Harness::shared().await;
    let keys = KeyFiles::new();
    let iam = spawn_replica(&h.db.url, &keys, "a").await;
    let admin = http_login(
        &iam,
        bootstrap::USER,
        ADMIN_PASSWORD,
        project_scope(&h.boot.project_id),
    )
    .await;
    let url = format!("{}/v3/users", iam.base_url);
    let (status, body, _) = send(
        "POST",
        &url,
        &[("X-Auth-Token", &admin)],
        Some(json!({ "user": { "name": "leaver", "password": USER_PASSWORD } })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let user_id = body["user"]["id"].as_str().expect("id").to_string();
    let token = http_login(&iam, "leaver", USER_PASSWORD, Value::Null).await;

    let (verifier, feed) = fed_verifier(&iam, &keys).await;
    assert_eq!(
        verifier.verify(&token, Utc::now()).expect("valid").user_id,
        user_id
    );

    let since = Instant::now();
    let c = client();
    let mut res = c
        .patch(format!("{}/v3/users/{user_id}", iam.base_url))
        .insert_header(("X-Auth-Token", admin.as_str()))
        .send_json(&json!({ "user": { "enabled": false } }))
        .await
        .expect("patch");
    assert_eq!(res.status(), StatusCode::OK, "{:?}", res.body().await);
    let took = refused_via_feed(&feed, &verifier, &token, since).await;
    assert!(took <= REVOCATION_BOUND, "refused only after {took:?}");
    // The admin's own token is not caught by the user's revocation.
    assert!(verifier.verify(&admin, Utc::now()).is_ok());
}

#[actix_web::test]
async fn a_token_revoked_on_one_replica_is_refused_by_another_within_10s() {
    let h = Harness::shared().await;
    let keys = KeyFiles::new();
    let a = spawn_replica(&h.db.url, &keys, "a").await;
    let b = spawn_replica(&h.db.url, &keys, "b").await;
    let scope = project_scope(&h.boot.project_id);
    let subject = http_login(&a, bootstrap::USER, ADMIN_PASSWORD, scope.clone()).await;
    let caller = http_login(&a, bootstrap::USER, ADMIN_PASSWORD, scope).await;
    let validate = |r: &Replica| format!("{}/v3/auth/tokens", r.base_url);

    // B accepts A's token: same keys, same database.
    let (status, body, echoed) = send(
        "GET",
        &validate(&b),
        &[("X-Auth-Token", &caller), ("X-Subject-Token", &subject)],
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(echoed.as_deref(), Some(subject.as_str()));
    assert_eq!(body["token"]["user"]["id"], h.boot.user_id.as_str());

    let since = Instant::now();
    http_revoke(&a, &caller, &subject).await;
    // A itself refuses at once.
    let (status, body, _) = send(
        "GET",
        &validate(&a),
        &[("X-Auth-Token", &caller), ("X-Subject-Token", &subject)],
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");

    let took = loop {
        let (status, body, _) = send(
            "GET",
            &validate(&b),
            &[("X-Auth-Token", &caller), ("X-Subject-Token", &subject)],
            None,
        )
        .await;
        match status {
            StatusCode::NOT_FOUND => break since.elapsed(),
            StatusCode::OK => {}
            other => panic!("B answered {other}: {body}"),
        }
        assert!(
            since.elapsed() < REVOCATION_BOUND * 2,
            "B still accepts the token after {:?}",
            since.elapsed()
        );
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(took <= REVOCATION_BOUND, "B refused only after {took:?}");
    assert_eq!(
        send(
            "GET",
            &validate(&b),
            &[("X-Auth-Token", &caller), ("X-Subject-Token", &subject)],
            None
        )
        .await
        .1,
        keystone_error_body(404, "Could not find token.")
    );
    // The revoked token cannot authenticate at B either.
    let (status, body, _) = send(
        "GET",
        &format!("{}/v3/auth/projects", b.base_url),
        &[("X-Auth-Token", &subject)],
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body, keystone_error_body(401, MSG_NEEDS_AUTH));
}

#[actix_web::test]
async fn internal_endpoints_need_the_internal_credential() {
    let h = Harness::shared().await;
    let keys = KeyFiles::new();
    let iam = spawn_replica(&h.db.url, &keys, "a").await;
    let keys_url = format!("{}/internal/v1/token-keys", iam.base_url);
    let revocations_url = format!("{}/internal/v1/revocations?after=0", iam.base_url);
    let same_length_wrong = "x".repeat(keys.internal_secret.len());
    let prefix = &keys.internal_secret[..keys.internal_secret.len() - 1];
    let admin = http_login(
        &iam,
        bootstrap::USER,
        ADMIN_PASSWORD,
        project_scope(&h.boot.project_id),
    )
    .await;

    for url in [&keys_url, &revocations_url] {
        let refusals: [&[(&str, &str)]; 5] = [
            &[],
            &[("X-Internal-Token", "wrong")],
            &[("X-Internal-Token", &same_length_wrong)],
            &[("X-Internal-Token", prefix)],
            // A user's token, even an admin's, is not the internal credential.
            &[("X-Auth-Token", &admin)],
        ];
        for headers in refusals {
            let (status, body, _) = send("GET", url, headers, None).await;
            assert_eq!(
                status,
                StatusCode::UNAUTHORIZED,
                "{url} {headers:?}: {body}"
            );
            assert_eq!(body, keystone_error_body(401, MSG_NEEDS_AUTH));
        }
    }

    let (status, body, _) = send(
        "GET",
        &keys_url,
        &[("X-Internal-Token", &keys.internal_secret)],
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body,
        json!({ "keys": [{ "kid": keys.kid, "public_key": keys.public_key }] })
    );

    let (status, body, _) = send(
        "GET",
        &revocations_url,
        &[("X-Internal-Token", &keys.internal_secret)],
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["events"].is_array(), "{body}");
    assert!(body["last_seq"].is_i64(), "{body}");
}

/// Every page repeats the last 15 s of events (the late-commit window). After a burst of
/// 1000 revocations within 15 s (a mass disable, a script changing passwords), the
/// revocation that follows must still be applied at once, not crowded out of the page.
#[actix_web::test]
async fn a_revocation_after_a_burst_still_applies_at_once() {
    use actix_web::test::TestRequest;
    use diesel::Connection;
    use iam_svc::repo;
    use service_kit::auth::wire::RevocationKind;

    let (h, app, caller) = Harness::with_admin().await;
    let subject = app.admin_token(&h).await;
    {
        let mut conn = h.db.pool.get().expect("conn");
        let now = h.state.clock.stored_now();
        conn.transaction(|c| {
            for n in 0..repo::revocations::PAGE {
                let until = now + chrono::Duration::hours(1);
                repo::revocations::append(
                    c,
                    RevocationKind::User,
                    &format!("burst-{n}"),
                    now,
                    until,
                )?;
            }
            Ok::<_, service_kit::db::StoreError>(())
        })
        .expect("burst");
    }
    h.state.sync_revocations().await.expect("sync");
    let seen = h.state.verifier.last_seq();

    assert_eq!(
        app.delete("/v3/auth/tokens")
            .header("X-Auth-Token", caller.as_str())
            .header("X-Subject-Token", subject.as_str())
            .await
            .parts()
            .0,
        StatusCode::NO_CONTENT
    );

    // The replica that recorded it refuses the token.
    let validate = TestRequest::get()
        .uri("/v3/auth/tokens")
        .insert_header(("X-Auth-Token", caller.as_str()))
        .insert_header(("X-Subject-Token", subject.as_str()));
    let (status, body, _) = app.call(validate).await.parts();
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "the revoked token still validates: {body}"
    );

    // And the feed other services read carries the new event.
    let feed = TestRequest::get()
        .uri(&format!("/internal/v1/revocations?after={seen}"))
        .insert_header(("X-Internal-Token", INTERNAL_SECRET));
    let (status, page, _) = app.call(feed).await.parts();
    assert_eq!(status, StatusCode::OK);
    assert!(
        page["last_seq"].as_i64().expect("last_seq") > seen,
        "the feed did not move past {seen}"
    );
}

/// Another service checks a signature through `RemoteSignatureVerifier`: one call, and the
/// principal or the refusal it should map to; the SK never leaves iam-svc.
#[actix_web::test]
async fn a_service_checks_signatures_through_the_remote_verifier() {
    use credential_core::sign::huawei;
    use service_kit::auth::wire::{Replay, SignatureAlgorithm, SignatureCheck};
    use service_kit::auth::RemoteSignatureVerifier;

    let h = Harness::shared().await;
    let keys = KeyFiles::new();
    let r = spawn_replica(&h.db.url, &keys, "remote-check").await;
    let token = http_login(
        &r,
        bootstrap::USER,
        ADMIN_PASSWORD,
        project_scope(&h.boot.project_id),
    )
    .await;
    let url = format!("{}/v3.0/OS-CREDENTIAL/credentials", r.base_url);
    let (status, body, _) = send(
        "POST",
        &url,
        &[("X-Auth-Token", token.as_str())],
        Some(json!({ "credential": { "user_id": h.boot.user_id } })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let ak = body["credential"]["access"].as_str().unwrap().to_string();
    let sk = body["credential"]["secret"].as_str().unwrap().to_string();

    let sts = "SDK-HMAC-SHA256\n20240101T000000Z\n0123";
    let check = |access: &str, signature: String| SignatureCheck {
        algorithm: SignatureAlgorithm::SdkHmacSha256,
        access: access.to_string(),
        string_to_sign: sts.to_string(),
        signature,
        tc3_date: None,
        tc3_service: None,
        project_id: Some(h.boot.project_id.clone()),
        domain_id: None,
        own_domain: false,
        security_token: None,
        replay: Replay::Once,
    };
    let remote = RemoteSignatureVerifier::new(r.base_url.clone(), keys.credential());
    let principal = remote
        .verify(&check(&ak, huawei::sign(sk.as_bytes(), sts)))
        .await
        .expect("accepted");
    assert_eq!(principal.user_id, h.boot.user_id);
    assert_eq!(principal.project_id(), Some(h.boot.project_id.as_str()));
    assert!(principal.has_role("admin"));
    assert_eq!(principal.access_key.as_deref(), Some(ak.as_str()));

    let wrong = huawei::sign(b"not the secret", sts);
    assert_eq!(
        remote.verify(&check(&ak, wrong)).await.unwrap_err(),
        AuthError::SignatureMismatch
    );
    let unknown = remote
        .verify(&check("ZZZZZZZZZZZZZZZZZZZZ", "00".repeat(32)))
        .await;
    assert_eq!(unknown.unwrap_err(), AuthError::UnknownAccessKey);

    let deactivate = json!({ "credential": { "status": "inactive" } });
    let (status, _, _) = send(
        "PUT",
        &format!("{url}/{ak}"),
        &[("X-Auth-Token", token.as_str())],
        Some(deactivate),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let inactive = remote
        .verify(&check(&ak, huawei::sign(sk.as_bytes(), sts)))
        .await;
    assert_eq!(inactive.unwrap_err(), AuthError::InactiveAccessKey);

    // Without the right internal credential the issuer cannot be asked at all.
    let stranger = RemoteSignatureVerifier::new(
        r.base_url.clone(),
        InternalCredential::new(SecretString::from("not-the-internal-credential-0000000000")),
    );
    let refused = stranger
        .verify(&check(&ak, huawei::sign(sk.as_bytes(), sts)))
        .await
        .unwrap_err();
    assert!(refused.is_unavailable(), "{refused:?}");
}

/// Sequence numbers become visible in the order they were taken: a revocation appended
/// while another is still uncommitted waits for it, so a poller can never see the later
/// number first and skip the earlier one for good, however long the first takes.
#[test]
fn revocations_become_visible_in_sequence_order() {
    use std::sync::mpsc;
    use std::time::Duration;

    use iam_svc::repo::revocations;
    use service_kit::auth::wire::RevocationKind;
    use service_kit::db::{write_transaction, Backend, StoreError};

    let db = service_kit::testing::TestDatabase::shared(&iam_svc::MIGRATIONS);
    if db.backend == Backend::Sqlite {
        // One writer at a time by construction: numbers are taken in commit order.
        return;
    }
    let now = service_kit::clock::Clock::system().stored_now();
    let until = now + chrono::Duration::hours(1);
    let (held, hold) = mpsc::channel::<()>();
    let (appended, first_appended) = mpsc::channel::<()>();
    let pool = db.pool.clone();
    let slow = std::thread::spawn(move || {
        let mut conn = pool.get().unwrap();
        write_transaction(&mut conn, |conn| {
            revocations::append(conn, RevocationKind::User, "slow", now, until)?;
            appended.send(()).unwrap();
            hold.recv().unwrap();
            Ok::<_, StoreError>(())
        })
        .unwrap();
    });
    first_appended.recv().unwrap();
    let pool = db.pool.clone();
    let (done, fast_done) = mpsc::channel::<()>();
    let fast = std::thread::spawn(move || {
        let mut conn = pool.get().unwrap();
        write_transaction(&mut conn, |conn| {
            revocations::append(conn, RevocationKind::User, "fast", now, until)
        })
        .unwrap();
        done.send(()).unwrap();
    });
    assert!(
        fast_done.recv_timeout(Duration::from_millis(500)).is_err(),
        "a later revocation committed while an earlier one was still open"
    );
    held.send(()).unwrap();
    slow.join().unwrap();
    fast.join().unwrap();
    let mut conn = db.pool.get().unwrap();
    let events = revocations::after(
        &mut conn,
        0,
        service_kit::clock::Clock::system().stored_now(),
    )
    .unwrap();
    let order: Vec<&str> = events.iter().map(|e| e.subject.as_str()).collect();
    assert_eq!(order, ["slow", "fast"]);
}
