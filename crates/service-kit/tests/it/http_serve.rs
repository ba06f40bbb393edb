//! `http::serve` on a real socket: the drain on a stop signal (`/readyz` 503 at once while
//! requests are still served, `Connection: close`, then the listener closes and requests in
//! flight finish), a second signal that stops at once, and a real SIGTERM to this process.
//!
//! The server runs in-process rather than as a service binary: service-kit cannot build
//! the services' binaries, and the drain is all in `serve`, which every service calls.
//! The signals come through `serve_until`'s stream, except in the SIGTERM test, which
//! sends the real one (nextest runs each test in a process of its own).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::http::StatusCode;
use actix_web::{web, App, HttpResponse, ResponseError};
use futures_util::future::LocalBoxFuture;
use serde_json::{json, Value};
use service_kit::auth::wire::SignatureCheck;
use service_kit::auth::{AuthError, Principal, SignatureVerifier, TokenVerifier, VerifierOptions};
use service_kit::config::{from_toml, ServerConfig};
use service_kit::db::DbPool;
use service_kit::http::errors::ServiceError;
use service_kit::http::{
    frame, serve, serve_until, AppFactory, AppFrame, BodyError, JsonApi, Metrics, StopSignals,
};
use service_kit::testing::TestDatabase;
use tokio::sync::mpsc;

use crate::common::TABLES;

/// An error in a made-up envelope, so refusals are seen the way a service renders them.
#[derive(Debug)]
pub struct KitError(StatusCode, String);

impl std::fmt::Display for KitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.1)
    }
}

impl ResponseError for KitError {
    fn status_code(&self) -> StatusCode {
        self.0
    }
    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.0).json(json!({"kit_error": self.1}))
    }
}

impl From<BodyError> for KitError {
    fn from(e: BodyError) -> Self {
        KitError(StatusCode::BAD_REQUEST, e.to_string())
    }
}

impl ServiceError for KitError {
    fn bad_request(message: String) -> Self {
        KitError(StatusCode::BAD_REQUEST, message)
    }
    fn payload_too_large() -> Self {
        KitError(StatusCode::PAYLOAD_TOO_LARGE, "too large".into())
    }
    fn not_found() -> Self {
        KitError(StatusCode::NOT_FOUND, "not found".into())
    }
    fn method_not_allowed() -> Self {
        KitError(StatusCode::METHOD_NOT_ALLOWED, "method".into())
    }
}

async fn hello() -> HttpResponse {
    HttpResponse::Ok().body("hello")
}

/// Answers after `ms` milliseconds: a request still in flight when the stop comes.
async fn slow(ms: web::Path<u64>) -> HttpResponse {
    actix_web::rt::time::sleep(Duration::from_millis(*ms)).await;
    HttpResponse::Ok().body("slow done")
}

async fn echo(body: web::Json<Value>) -> HttpResponse {
    HttpResponse::Ok().json(body.into_inner())
}

/// Answers the length of a raw body, as handlers taking `web::Bytes` read theirs.
async fn raw(body: web::Bytes) -> HttpResponse {
    HttpResponse::Ok().body(body.len().to_string())
}

/// A 405 a part of the app renders in an envelope of its own (as iam-svc's `/v5` scope).
#[derive(Debug)]
struct OwnEnvelope;

impl std::fmt::Display for OwnEnvelope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("own")
    }
}

impl ResponseError for OwnEnvelope {
    fn status_code(&self) -> StatusCode {
        StatusCode::METHOD_NOT_ALLOWED
    }
    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(StatusCode::METHOD_NOT_ALLOWED).json(json!({"own": "method"}))
    }
}

async fn own_405() -> Result<HttpResponse, OwnEnvelope> {
    Err(OwnEnvelope)
}

/// No signature is good here; the routes below are reached without one.
struct NoSignatures;

impl SignatureVerifier for NoSignatures {
    fn check(&self, _: SignatureCheck) -> LocalBoxFuture<'_, Result<Principal, AuthError>> {
        Box::pin(async { Err(AuthError::UnknownAccessKey) })
    }
}

/// A JSON API in the services' frame (probes, middleware order, limits and envelope),
/// with a few routes of its own.
pub fn app(pool: DbPool) -> App<impl AppFactory> {
    let frame = AppFrame {
        pool,
        metrics: web::Data::new(Metrics::new("kit-serve")),
    };
    let api = JsonApi {
        max_body_bytes: 65_536,
        max_signature_skew: Duration::from_secs(900),
        verifier: Arc::new(TokenVerifier::new(VerifierOptions::default())),
        signatures: Arc::new(NoSignatures),
    };
    frame::json_api::<KitError>(frame, api)
        .route("/hello", web::get().to(hello))
        .route("/slow/{ms}", web::get().to(slow))
        .route("/echo", web::post().to(echo))
        .route("/raw", web::post().to(raw))
        .route("/own-405", web::get().to(own_405))
        .service(web::resource("/resource").route(web::get().to(hello)))
}

#[actix_web::test]
async fn a_405_already_rendered_keeps_its_envelope_and_a_bare_one_gets_the_services() {
    let db = TestDatabase::new(&TABLES);
    let app = service_kit::testing::TestApp::init(app(db.pool.clone())).await;
    let (status, body, _) = app.get("/own-405").await.parts();
    assert_eq!(
        (status, body),
        (StatusCode::METHOD_NOT_ALLOWED, json!({"own": "method"}))
    );
    let (status, body, _) = app.post("/resource").await.parts();
    assert_eq!(
        (status, body),
        (
            StatusCode::METHOD_NOT_ALLOWED,
            json!({"kit_error": "method"})
        )
    );
}

/// A port free a moment ago; the server binds it right after.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The server section with `overrides` (TOML lines) on a free port.
pub fn server_config(overrides: &str) -> ServerConfig {
    let port = free_port();
    let defaults =
        format!("host = \"127.0.0.1\"\nport = {port}\nworkers = 1\nmax_body_bytes = 65536\n");
    let config: ServerConfig = from_toml(&defaults, overrides).unwrap();
    config.validate().unwrap();
    config
}

/// A server running [`app`] on `config`, stopped by [`Running::signal`].
pub struct Running {
    pub addr: SocketAddr,
    signals: mpsc::UnboundedSender<&'static str>,
    pub done: tokio::task::JoinHandle<Result<(), String>>,
    _db: TestDatabase,
}

impl Running {
    /// Through `serve_until`, stopped by [`Running::signal`].
    pub async fn start(config: ServerConfig) -> Running {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let signals: StopSignals =
            Box::pin(futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx)));
        Running::start_with(config, Some(signals), tx).await
    }

    /// Through `serve` itself, stopped by the process's signals.
    async fn start_serving(config: ServerConfig) -> Running {
        let (tx, _) = mpsc::unbounded_channel();
        Running::start_with(config, None, tx).await
    }

    async fn start_with(
        config: ServerConfig,
        signals: Option<StopSignals>,
        tx: mpsc::UnboundedSender<&'static str>,
    ) -> Running {
        let db = TestDatabase::shared(&TABLES);
        let pool = db.pool.clone();
        let addr: SocketAddr = format!("{}:{}", config.host, config.port).parse().unwrap();
        let done = actix_web::rt::spawn(async move {
            let factory = move || app(pool.clone());
            match signals {
                Some(signals) => serve_until("kit-serve", &config, factory, signals).await,
                None => serve("kit-serve", &config, factory).await,
            }
        });
        let running = Running {
            addr,
            signals: tx,
            done,
            _db: db,
        };
        running.wait_until_ready().await;
        running
    }

    async fn wait_until_ready(&self) {
        for _ in 0..100 {
            if let Ok(reply) = self.get("/readyz").await {
                if reply.status == 200 {
                    return;
                }
            }
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the server did not become ready");
    }

    pub fn signal(&self) {
        self.signals.send("TEST").unwrap();
    }

    /// A GET on a connection of its own.
    pub async fn get(&self, path: &str) -> std::io::Result<Reply> {
        let request = format!("GET {path} HTTP/1.1\r\nHost: test\r\n\r\n");
        self.send(request.into_bytes(), Duration::ZERO, Vec::new())
            .await
    }

    /// Send `head` on a new connection, then each piece of `body` after `pause`, and read
    /// the answer (at most 10 s).
    pub async fn send(
        &self,
        head: Vec<u8>,
        pause: Duration,
        body: Vec<Vec<u8>>,
    ) -> std::io::Result<Reply> {
        let addr = self.addr;
        web::block(move || exchange(addr, &head, pause, &body))
            .await
            .unwrap()
    }
}

/// What came back on a raw connection.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub head: String,
    pub body: String,
    pub took: Duration,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

fn exchange(
    addr: SocketAddr,
    head: &[u8],
    pause: Duration,
    body: &[Vec<u8>],
) -> std::io::Result<Reply> {
    let started = Instant::now();
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.write_all(head)?;
    // The rest is written beside the reading, so an early answer is seen when it comes.
    let mut writer = stream.try_clone()?;
    let body = body.to_vec();
    std::thread::spawn(move || {
        for piece in body {
            std::thread::sleep(pause);
            // The server may have answered and closed already; what it said is what counts.
            if writer.write_all(&piece).is_err() {
                break;
            }
        }
    });
    // One answer: the head, then Content-Length bytes (or all until the server closes).
    let mut raw = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = match stream.read(&mut buf) {
            Ok(n) => n,
            Err(e) if raw.is_empty() => return Err(e),
            Err(_) => 0,
        };
        raw.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&raw).into_owned();
        if let Some((head, rest)) = text.split_once("\r\n\r\n") {
            let length = head.lines().find_map(|l| {
                let (n, v) = l.split_once(':')?;
                n.eq_ignore_ascii_case("content-length")
                    .then(|| v.trim().parse::<usize>().ok())?
            });
            if n == 0 || length.is_some_and(|len| rest.len() >= len) {
                let status = head
                    .split_whitespace()
                    .nth(1)
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0);
                return Ok(Reply {
                    status,
                    head: head.to_string(),
                    body: rest.to_string(),
                    took: started.elapsed(),
                });
            }
        } else if n == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                format!("closed without an answer: {text:?}"),
            ));
        }
    }
}

/// Whether the server closes the connection after its answer (reads EOF within a second,
/// where keep-alive holds an idle connection for five).
fn closes_after_answer(addr: SocketAddr, path: &str) -> bool {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(1)))
        .unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: test\r\n\r\n").unwrap();
    let mut all = Vec::new();
    // read_to_end returns at EOF; a kept-alive connection times out instead.
    stream.read_to_end(&mut all).is_ok()
}

#[actix_web::test]
async fn a_stop_drains_then_closes_and_lets_requests_in_flight_finish() {
    crate::logs::install();
    let server = Running::start(server_config(
        "drain_ms = 800\nshutdown_timeout_seconds = 5",
    ))
    .await;
    let addr = server.addr;
    // Before the stop, connections are kept alive.
    let kept = web::block(move || closes_after_answer(addr, "/hello"));
    assert!(!kept.await.unwrap(), "keep-alive before the stop");

    let in_flight = {
        let head = b"GET /slow/1800 HTTP/1.1\r\nHost: test\r\n\r\n".to_vec();
        web::block(move || exchange(addr, &head, Duration::ZERO, &[]))
    };
    actix_web::rt::time::sleep(Duration::from_millis(200)).await;
    let stopped_at = Instant::now();
    server.signal();
    actix_web::rt::time::sleep(Duration::from_millis(50)).await;

    // Draining: unready at once, yet still serving, and asking clients to go elsewhere.
    let ready = server.get("/readyz").await.unwrap();
    assert_eq!(
        (ready.status, ready.json()),
        (503, json!({"status": "draining"}))
    );
    // Every balancer polls it: an answer the service means is not logged as a failure.
    let id = ready.header("x-request-id").unwrap().to_string();
    let lines: Vec<String> = crate::logs::lines()
        .into_iter()
        .filter(|l| l.contains(&id))
        .collect();
    assert!(lines.iter().all(|l| !l.starts_with("ERROR")), "{lines:?}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("127.0.0.1 \"GET /readyz\" 503")),
        "{lines:?}"
    );
    let hello = server.get("/hello").await.unwrap();
    assert_eq!((hello.status, hello.body.as_str()), (200, "hello"));
    assert_eq!(hello.header("connection"), Some("close"), "{}", hello.head);
    let closes = web::block(move || closes_after_answer(addr, "/hello"));
    assert!(
        closes.await.unwrap(),
        "the connection closes while draining"
    );

    // After the drain the listener is closed.
    actix_web::rt::time::sleep(Duration::from_millis(1000)).await;
    assert!(
        server.get("/hello").await.is_err(),
        "new connections are refused after the drain"
    );

    // The request that was in flight completes, and the server ends soon after it.
    let reply = in_flight.await.unwrap().unwrap();
    assert_eq!((reply.status, reply.body.as_str()), (200, "slow done"));
    let result = actix_web::rt::time::timeout(Duration::from_secs(3), server.done)
        .await
        .expect("the server ends once its requests are done");
    result.unwrap().unwrap();
    assert!(
        stopped_at.elapsed() < Duration::from_secs(4),
        "{:?}",
        stopped_at.elapsed()
    );
}

#[actix_web::test]
async fn a_second_signal_during_the_drain_stops_at_once() {
    let server = Running::start(server_config(
        "drain_ms = 30000\nshutdown_timeout_seconds = 30",
    ))
    .await;
    let addr = server.addr;
    let in_flight = {
        let head = b"GET /slow/20000 HTTP/1.1\r\nHost: test\r\n\r\n".to_vec();
        web::block(move || exchange(addr, &head, Duration::ZERO, &[]))
    };
    actix_web::rt::time::sleep(Duration::from_millis(200)).await;
    server.signal();
    actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(server.get("/readyz").await.unwrap().status, 503);
    let stopped_at = Instant::now();
    server.signal();
    let result = actix_web::rt::time::timeout(Duration::from_secs(3), server.done)
        .await
        .expect("a second signal does not wait for the drain or the slow request");
    result.unwrap().unwrap();
    assert!(stopped_at.elapsed() < Duration::from_secs(3));
    // The slow request was cut, not answered.
    assert!(in_flight.await.unwrap().is_err());
}

#[actix_web::test]
async fn a_signal_during_the_graceful_stop_ends_it() {
    let server = Running::start(server_config("drain_ms = 0\nshutdown_timeout_seconds = 30")).await;
    let addr = server.addr;
    let in_flight = {
        let head = b"GET /slow/20000 HTTP/1.1\r\nHost: test\r\n\r\n".to_vec();
        web::block(move || exchange(addr, &head, Duration::ZERO, &[]))
    };
    actix_web::rt::time::sleep(Duration::from_millis(200)).await;
    server.signal();
    actix_web::rt::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !server.done.is_finished(),
        "the slow request holds the graceful stop"
    );
    server.signal();
    let result = actix_web::rt::time::timeout(Duration::from_secs(3), server.done)
        .await
        .expect("the second signal ends the graceful stop");
    result.unwrap().unwrap();
    drop(in_flight);
}

#[actix_web::test]
async fn sigterm_starts_the_drain_and_the_server_ends_cleanly() {
    let config = server_config("drain_ms = 500\nshutdown_timeout_seconds = 5");
    // `serve` registers its handlers before it listens, so the server answering means the
    // signal will reach them (nextest gives this test a process of its own).
    let server = Running::start_serving(config).await;
    // A thousand idle clients need descriptors: the soft limit was raised to the hard one.
    let (soft, hard) = rlimit::Resource::NOFILE.get().unwrap();
    assert_eq!(soft, hard);
    let status = std::process::Command::new("kill")
        .args(["-TERM", &std::process::id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    let ready = server.get("/readyz").await.unwrap();
    assert_eq!(
        (ready.status, ready.json()),
        (503, json!({"status": "draining"}))
    );
    assert_eq!(server.get("/hello").await.unwrap().status, 200);
    let result = actix_web::rt::time::timeout(Duration::from_secs(3), server.done)
        .await
        .expect("the server ends after the drain");
    result.unwrap().unwrap();
}
