//! `/healthz`, `/readyz`, `/metrics` and the request-id middleware, mounted the way every
//! service mounts them.

use actix_web::http::StatusCode;
use actix_web::middleware::from_fn;
use actix_web::{web, App, HttpResponse};
use serde_json::json;
use service_kit::db::DbPool;
use service_kit::http::{configure_health, observe, Metrics, RequestId};
use service_kit::testing::{TestApp, TestDatabase, TestResponse};

use crate::common::{pool_options, TempDir, TABLES};

async fn echo_id(id: RequestId) -> HttpResponse {
    HttpResponse::Ok().body(id.0)
}

async fn boom() -> HttpResponse {
    HttpResponse::InternalServerError().body("generic")
}

async fn app(pool: DbPool) -> TestApp {
    TestApp::init(
        App::new()
            .app_data(web::Data::new(pool))
            .app_data(web::Data::new(Metrics::new("kit-test")))
            .wrap(from_fn(observe))
            .configure(configure_health)
            .route("/echo-id", web::get().to(echo_id))
            .route("/boom", web::get().to(boom)),
    )
    .await
}

fn request_id(res: &TestResponse) -> String {
    res.header("x-request-id")
        .expect("every response carries X-Request-Id")
        .to_string()
}

fn is_generated(id: &str) -> bool {
    id.len() == 32
        && id
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

#[actix_web::test]
async fn health_and_readiness_answer_with_a_working_pool() {
    let db = TestDatabase::new(&TABLES);
    let app = app(db.pool.clone()).await;
    let body = app.get("/healthz").await.assert_ok().json();
    assert_eq!(body, json!({"status": "ok"}));
    let body = app.get("/readyz").await.assert_ok().json();
    assert_eq!(body, json!({"status": "ready"}));
}

#[actix_web::test]
async fn readiness_fails_when_no_connection_can_be_had() {
    // One connection, held by the test: the probe waits for the pool's timeout, then
    // reports 503 instead of hanging or claiming readiness.
    let dir = TempDir::new();
    let url = dir.0.join("one.db").display().to_string();
    let pool: DbPool = service_kit::db::connect_pool(&pool_options(&url, 1, 1_000)).expect("pool");
    let held = pool.get().expect("the only connection");
    let app = app(pool.clone()).await;
    let res = app
        .get("/readyz")
        .await
        .assert_status(StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(res.json(), json!({"status": "database unavailable"}));
    assert!(is_generated(&request_id(&res)));
    drop(held);
    app.get("/readyz").await.assert_ok();
}

#[actix_web::test]
async fn metrics_count_responses_by_class() {
    let db = TestDatabase::new(&TABLES);
    let app = app(db.pool.clone()).await;
    for uri in ["/healthz", "/readyz", "/no-such-path", "/boom"] {
        app.get(uri).await;
    }
    let res = app.get("/metrics").await.assert_ok();
    let content_type = res.header("content-type").expect("type");
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    let text = std::str::from_utf8(res.bytes()).expect("utf-8");
    for line in [
        "# TYPE http_responses_total counter",
        "http_responses_total{service=\"kit-test\",class=\"2xx\"} 2",
        "http_responses_total{service=\"kit-test\",class=\"4xx\"} 1",
        "http_responses_total{service=\"kit-test\",class=\"5xx\"} 1",
        "http_request_duration_seconds_count{service=\"kit-test\"} 4",
        // The /metrics request itself is in flight while it renders.
        "http_requests_in_flight{service=\"kit-test\"} 1",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing {line:?} in\n{text}"
        );
    }
    assert!(
        text.contains("db_pool_connections{service=\"kit-test\"}"),
        "{text}"
    );
}

#[actix_web::test]
async fn a_request_id_is_generated_when_absent() {
    let db = TestDatabase::new(&TABLES);
    let app = app(db.pool.clone()).await;
    let first = app.get("/echo-id").await;
    let second = app.get("/echo-id").await;
    let (id1, id2) = (request_id(&first), request_id(&second));
    assert!(is_generated(&id1), "{id1}");
    assert_ne!(id1, id2, "each request gets its own id");
    // The handler sees the same id the response carries.
    assert_eq!(first.json(), json!(id1));
}

#[actix_web::test]
async fn a_sane_request_id_is_echoed() {
    let db = TestDatabase::new(&TABLES);
    let app = app(db.pool.clone()).await;
    let sane = "trace-42_abc.DEF";
    let res = app
        .get("/echo-id")
        .header("X-Request-Id", sane)
        .await
        .assert_ok();
    assert_eq!(request_id(&res), sane);
    assert_eq!(res.json(), json!(sane));
    let longest = "a".repeat(128);
    let res = app
        .get("/healthz")
        .header("X-Request-Id", longest.as_str())
        .await;
    assert_eq!(request_id(&res), longest);
}

#[actix_web::test]
async fn an_odd_request_id_is_replaced() {
    let db = TestDatabase::new(&TABLES);
    let app = app(db.pool.clone()).await;
    let too_long = "a".repeat(129);
    for odd in [
        "has space",
        "semi;colon",
        "quote\"d",
        "",
        "a/b",
        "x\tTab",
        too_long.as_str(),
    ] {
        let res = app
            .get("/echo-id")
            .header("X-Request-Id", odd)
            .await
            .assert_ok();
        let id = request_id(&res);
        assert!(is_generated(&id), "{odd:?} was kept as {id:?}");
        assert_eq!(res.json(), json!(id));
    }
}

#[actix_web::test]
async fn errors_and_unknown_paths_carry_a_request_id_too() {
    let db = TestDatabase::new(&TABLES);
    let app = app(db.pool.clone()).await;
    for (uri, status) in [
        ("/no-such-path", StatusCode::NOT_FOUND),
        ("/boom", StatusCode::INTERNAL_SERVER_ERROR),
    ] {
        let res = app
            .get(uri)
            .header("X-Request-Id", "err-1")
            .await
            .assert_status(status);
        assert_eq!(request_id(&res), "err-1");
    }
}
