//! The access log the `observe` middleware writes: one line per request with the id,
//! method, path and status, and never a header value or the query string.

use std::sync::{Mutex, Once};

use actix_web::http::StatusCode;
use actix_web::middleware::from_fn;
use actix_web::{web, App, HttpResponse};
use service_kit::http::{configure_health, observe, Metrics};
use service_kit::testing::{TestApp, TestDatabase};

use crate::common::TABLES;

/// Every log line of this test process, as `target message`.
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

pub(crate) fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        log::set_logger(&CAPTURE).expect("no other logger may be installed in this test binary");
        log::set_max_level(log::LevelFilter::Trace);
    });
}

pub(crate) fn lines() -> Vec<String> {
    LINES.lock().map(|l| l.clone()).unwrap_or_default()
}

async fn protected() -> HttpResponse {
    HttpResponse::Unauthorized().body("no")
}

async fn failing() -> HttpResponse {
    HttpResponse::InternalServerError().body("generic")
}

#[actix_web::test]
async fn the_access_log_names_the_request_but_never_its_credentials() {
    install();
    let marker = uuid::Uuid::new_v4().simple().to_string();
    let secret = |what: &str| format!("{what}-{marker}");
    let db = TestDatabase::new(&TABLES);
    let app = TestApp::init(
        App::new()
            .app_data(web::Data::new(db.pool.clone()))
            .app_data(web::Data::new(Metrics::new("kit-test")))
            .wrap(from_fn(observe))
            .configure(configure_health)
            .route("/protected", web::get().to(protected))
            .route("/failing", web::post().to(failing)),
    )
    .await;

    // The balancer's probe is the stack's own traffic: logged, at debug, so an idle
    // service's info log stays quiet.
    let cases = [
        ("GET", "/healthz", StatusCode::OK, "DEBUG"),
        ("GET", "/protected", StatusCode::UNAUTHORIZED, "INFO"),
        (
            "POST",
            "/failing",
            StatusCode::INTERNAL_SERVER_ERROR,
            "INFO",
        ),
    ];
    for (n, (method, path, expected, level)) in cases.iter().enumerate() {
        let id = format!("log-{n}-{marker}");
        app.request(*method, &format!("{path}?access_token={}", secret("query")))
            .header("X-Request-Id", id.as_str())
            .header("X-Auth-Token", secret("x-auth-token"))
            .header(
                "Authorization",
                format!("Bearer {}", secret("authorization")),
            )
            .header("X-Security-Token", secret("x-security-token"))
            .header("X-TC-Token", secret("x-tc-token"))
            .header("X-Subject-Token", secret("x-subject-token"))
            .header("Cookie", format!("session={}", secret("cookie")))
            .body(format!("{{\"password\":\"{}\"}}", secret("body")))
            .await
            .assert_status(*expected);

        let access: Vec<String> = lines()
            .into_iter()
            .filter(|l| l.contains(" access ") && l.contains(&id))
            .collect();
        assert_eq!(access.len(), 1, "one access line per request: {access:?}");
        let line = &access[0];
        assert!(line.starts_with(&format!("{level} access ")), "{line}");
        assert!(
            line.contains(&format!("\"{method} {path}\" {}", expected.as_u16())),
            "{line}"
        );
    }

    // Lines that carry our request ids may carry nothing else of ours.
    for line in lines().into_iter().filter(|l| l.contains(&marker)) {
        let without_ids = (0..cases.len()).fold(line.clone(), |l, n| {
            l.replace(&format!("log-{n}-{marker}"), "")
        });
        assert!(
            !without_ids.contains(&marker),
            "a secret reached the log: {line}"
        );
    }
    // The failure is logged with its request id, for the operator.
    assert!(
        lines()
            .iter()
            .any(|l| l.starts_with("ERROR") && l.contains(&format!("log-2-{marker}"))),
        "the 500 must be logged with its request id"
    );
}
