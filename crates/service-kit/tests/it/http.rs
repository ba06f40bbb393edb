//! `/healthz`, `/readyz`, `/metrics` and the request-id middleware, mounted the way every
//! service mounts them.

use actix_web::http::StatusCode;
use actix_web::middleware::from_fn;
use actix_web::test::{self, TestRequest};
use actix_web::{web, App, HttpResponse};
use serde_json::json;
use service_kit::db::DbPool;
use service_kit::http::{configure_health, observe, Metrics, RequestId};

use crate::common::{call, pool_options, TempDb};

async fn echo_id(id: RequestId) -> HttpResponse {
    HttpResponse::Ok().body(id.0)
}

async fn boom() -> HttpResponse {
    HttpResponse::InternalServerError().body("generic")
}

macro_rules! app {
    ($pool:expr) => {
        test::init_service(
            App::new()
                .app_data(web::Data::new($pool))
                .app_data(web::Data::new(Metrics::new("kit-test")))
                .wrap(from_fn(observe))
                .configure(configure_health)
                .route("/echo-id", web::get().to(echo_id))
                .route("/boom", web::get().to(boom)),
        )
        .await
    };
}

fn request_id(headers: &actix_web::http::header::HeaderMap) -> String {
    headers
        .get("x-request-id")
        .expect("every response carries X-Request-Id")
        .to_str()
        .expect("ascii")
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
    let db = TempDb::new(5_000);
    let app = app!(db.pool.clone());
    let (status, _, body) = call(&app, TestRequest::get().uri("/healthz")).await;
    assert_eq!((status, body), (StatusCode::OK, json!({"status": "ok"})));
    let (status, _, body) = call(&app, TestRequest::get().uri("/readyz")).await;
    assert_eq!((status, body), (StatusCode::OK, json!({"status": "ready"})));
}

#[actix_web::test]
async fn readiness_fails_when_no_connection_can_be_had() {
    // One connection, held by the test: the probe waits for the pool's timeout, then
    // reports 503 instead of hanging or claiming readiness.
    let dir = crate::common::TempDir::new();
    let url = dir.0.join("one.db").display().to_string();
    let pool: DbPool = service_kit::db::connect_pool(&pool_options(&url, 1, 1_000)).expect("pool");
    let held = pool.get().expect("the only connection");
    let app = app!(pool.clone());
    let (status, headers, body) = call(&app, TestRequest::get().uri("/readyz")).await;
    assert_eq!(
        (status, body),
        (
            StatusCode::SERVICE_UNAVAILABLE,
            json!({"status": "database unavailable"})
        )
    );
    assert!(is_generated(&request_id(&headers)));
    drop(held);
    let (status, _, _) = call(&app, TestRequest::get().uri("/readyz")).await;
    assert_eq!(status, StatusCode::OK);
}

#[actix_web::test]
async fn metrics_count_responses_by_class() {
    let db = TempDb::new(5_000);
    let app = app!(db.pool.clone());
    for uri in ["/healthz", "/readyz", "/no-such-path", "/boom"] {
        call(&app, TestRequest::get().uri(uri)).await;
    }
    let res = test::call_service(&app, TestRequest::get().uri("/metrics").to_request()).await;
    assert_eq!(res.status(), StatusCode::OK);
    let content_type = res
        .headers()
        .get("content-type")
        .expect("type")
        .to_str()
        .expect("ascii")
        .to_string();
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    let text = String::from_utf8(test::read_body(res).await.to_vec()).expect("utf-8");
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
    let db = TempDb::new(5_000);
    let app = app!(db.pool.clone());
    let (_, h1, body) = call(&app, TestRequest::get().uri("/echo-id")).await;
    let (_, h2, _) = call(&app, TestRequest::get().uri("/echo-id")).await;
    let (id1, id2) = (request_id(&h1), request_id(&h2));
    assert!(is_generated(&id1), "{id1}");
    assert_ne!(id1, id2, "each request gets its own id");
    // The handler sees the same id the response carries.
    assert_eq!(body, json!(id1));
}

#[actix_web::test]
async fn a_sane_request_id_is_echoed() {
    let db = TempDb::new(5_000);
    let app = app!(db.pool.clone());
    let sane = "trace-42_abc.DEF";
    let (status, headers, body) = call(
        &app,
        TestRequest::get()
            .uri("/echo-id")
            .insert_header(("X-Request-Id", sane)),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(request_id(&headers), sane);
    assert_eq!(body, json!(sane));
    let longest = "a".repeat(128);
    let (_, headers, _) = call(
        &app,
        TestRequest::get()
            .uri("/healthz")
            .insert_header(("X-Request-Id", longest.as_str())),
    )
    .await;
    assert_eq!(request_id(&headers), longest);
}

#[actix_web::test]
async fn an_odd_request_id_is_replaced() {
    let db = TempDb::new(5_000);
    let app = app!(db.pool.clone());
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
        let (status, headers, body) = call(
            &app,
            TestRequest::get()
                .uri("/echo-id")
                .insert_header(("X-Request-Id", odd)),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let id = request_id(&headers);
        assert!(is_generated(&id), "{odd:?} was kept as {id:?}");
        assert_eq!(body, json!(id));
    }
}

#[actix_web::test]
async fn errors_and_unknown_paths_carry_a_request_id_too() {
    let db = TempDb::new(5_000);
    let app = app!(db.pool.clone());
    for (uri, status) in [
        ("/no-such-path", StatusCode::NOT_FOUND),
        ("/boom", StatusCode::INTERNAL_SERVER_ERROR),
    ] {
        let (got, headers, _) = call(
            &app,
            TestRequest::get()
                .uri(uri)
                .insert_header(("X-Request-Id", "err-1")),
        )
        .await;
        assert_eq!(got, status);
        assert_eq!(request_id(&headers), "err-1");
    }
}
