//! Hostile clients against `http::serve` on a real socket, in the services' frame: an
//! oversized body is refused from its `Content-Length` before it is sent, a huge header
//! block gets 431, and a client that trickles its request head or body is cut off in
//! bounded time; body refusals come in the service's envelope, JSON or raw.

use std::io::Read;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use actix_web::web;

use serde_json::json;
use service_kit::http::MAX_HEAD_BYTES;

use crate::http_serve::{server_config, Running};

const LIMITS: &str = "client_request_timeout_ms = 500\nbody_timeout_ms = 700\ndrain_ms = 0";

#[actix_web::test]
async fn a_body_announced_too_large_is_refused_before_it_is_sent() {
    let server = Running::start(server_config(LIMITS)).await;
    // A JSON body and a raw one: both refused in the envelope, from the head alone.
    for head in [
        "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n\
         Content-Length: 104857600\r\n\r\n",
        "POST /raw HTTP/1.1\r\nHost: test\r\nContent-Length: 104857600\r\n\r\n",
    ] {
        // Only the head is sent: the answer cannot wait for 100 MB.
        let reply = server
            .send(head.as_bytes().to_vec(), Duration::ZERO, Vec::new())
            .await
            .unwrap();
        assert_eq!(reply.status, 413, "{head}: {reply:?}");
        assert_eq!(reply.json(), json!({"kit_error": "too large"}));
        assert!(reply.took < Duration::from_millis(500), "{:?}", reply.took);
    }
}

#[actix_web::test]
async fn a_header_block_over_the_limit_gets_431() {
    let server = Running::start(server_config(LIMITS)).await;
    // Ours (32 KiB), then actix-http's: a head of 128 KiB, 96 headers.
    let over = format!("X-Filler: {}\r\n", "a".repeat(MAX_HEAD_BYTES));
    let huge = format!("X-Filler: {}\r\n", "a".repeat(200 * 1024));
    let many: String = (0..100).map(|n| format!("X-Many-{n}: x\r\n")).collect();
    for headers in [over, huge, many] {
        let head = format!("GET /hello HTTP/1.1\r\nHost: test\r\n{headers}\r\n");
        let reply = server
            .send(head.into_bytes(), Duration::ZERO, Vec::new())
            .await
            .unwrap();
        assert_eq!(reply.status, 431, "{reply:?}");
        assert!(reply.took < Duration::from_secs(1), "{:?}", reply.took);
    }
}

#[actix_web::test]
async fn a_head_within_the_limit_is_served() {
    let server = Running::start(server_config(LIMITS)).await;
    let head = format!(
        "GET /hello HTTP/1.1\r\nHost: test\r\nX-Filler: {}\r\n\r\n",
        "a".repeat(MAX_HEAD_BYTES - 200)
    );
    let reply = server
        .send(head.into_bytes(), Duration::ZERO, Vec::new())
        .await
        .unwrap();
    assert_eq!(reply.status, 200, "{reply:?}");
}

#[actix_web::test]
async fn a_connection_that_sends_nothing_is_closed() {
    let server = Running::start(server_config(LIMITS)).await;
    let addr = server.addr;
    let took = web::block(move || {
        let started = Instant::now();
        let mut stream = TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut all = Vec::new();
        stream.read_to_end(&mut all).unwrap();
        started.elapsed()
    })
    .await
    .unwrap();
    assert!(
        took >= Duration::from_millis(400) && took < Duration::from_millis(1500),
        "{took:?}"
    );
}

#[actix_web::test]
async fn a_trickled_request_head_is_cut_off() {
    let server = Running::start(server_config(LIMITS)).await;
    let pieces = (0..20).map(|_| b"X".to_vec()).collect();
    let reply = server
        .send(
            b"GET /hello HTTP/1.1\r\nHost: test\r\nX-Slow: ".to_vec(),
            Duration::from_millis(200),
            pieces,
        )
        .await
        .unwrap();
    assert_eq!(reply.status, 408, "{reply:?}");
    assert!(reply.took < Duration::from_secs(2), "{:?}", reply.took);
}

#[actix_web::test]
async fn a_trickled_body_is_refused_in_the_services_envelope() {
    let server = Running::start(server_config(LIMITS)).await;
    let body = br#"{"name": "a slow body that never ends"}"#;
    let head = format!(
        "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    );
    // Two bytes every 200 ms: the whole body would take four seconds.
    let pieces = body.chunks(2).map(<[u8]>::to_vec).collect();
    let reply = server
        .send(head.into_bytes(), Duration::from_millis(200), pieces)
        .await
        .unwrap();
    assert_eq!(reply.status, 400, "{reply:?}");
    assert_eq!(
        reply.json(),
        json!({"kit_error": "The request body could not be read."})
    );
    assert!(
        reply.took >= Duration::from_millis(600) && reply.took < Duration::from_millis(2000),
        "{:?}",
        reply.took
    );
}

#[actix_web::test]
async fn a_trickled_raw_body_is_refused_in_the_envelope() {
    let server = Running::start(server_config(LIMITS)).await;
    let head = "POST /raw HTTP/1.1\r\nHost: test\r\nContent-Length: 40\r\n\r\n";
    let pieces = (0..20).map(|_| b"xx".to_vec()).collect();
    let reply = server
        .send(head.as_bytes().to_vec(), Duration::from_millis(200), pieces)
        .await
        .unwrap();
    assert_eq!(reply.status, 400, "{reply:?}");
    assert_eq!(
        reply.json(),
        json!({"kit_error": "The request body could not be read."})
    );
    assert!(reply.took < Duration::from_millis(2000), "{:?}", reply.took);
}

#[actix_web::test]
async fn a_body_sent_in_time_is_read() {
    let server = Running::start(server_config(LIMITS)).await;
    let body = br#"{"name": "quick"}"#;
    let head = format!(
        "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    );
    let pieces = body.chunks(8).map(<[u8]>::to_vec).collect();
    let reply = server
        .send(head.into_bytes(), Duration::from_millis(100), pieces)
        .await
        .unwrap();
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.json(), json!({"name": "quick"}));
}
