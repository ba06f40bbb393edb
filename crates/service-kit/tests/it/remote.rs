//! The client side of the signature check, against a stand-in issuer on a real socket.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use credential_core::SecretString;
use service_kit::auth::wire::{
    Refusal, Replay, SignatureAlgorithm, SignatureCheck, SignatureVerdict, SIGNATURE_CHECKS_PATH,
};
use service_kit::auth::{
    AuthError, InternalCredential, RemoteSignatureVerifier, INTERNAL_TOKEN_HEADER,
};

const SECRET: &str = "internal-secret-for-the-test";

fn check() -> SignatureCheck {
    SignatureCheck {
        algorithm: SignatureAlgorithm::SdkHmacSha256,
        access: "AKAKAKAKAKAKAKAKAKAK".into(),
        string_to_sign: "SDK-HMAC-SHA256\n20240101T000000Z\n0123".into(),
        signature: "00".repeat(32),
        tc3_date: None,
        tc3_service: None,
        project_id: None,
        domain_id: None,
        own_domain: false,
        security_token: None,
        replay: Replay::Once,
    }
}

/// Checks go over one kept connection: a connection per check would cost every signed
/// request a TCP handshake (and a host lookup) on the way to the issuer.
#[actix_web::test]
async fn checks_reuse_one_connection_to_the_issuer() {
    // The client ports the issuer saw, and whether each call carried the credential.
    let ports = Arc::new(Mutex::new(HashSet::new()));
    let seen = ports.clone();
    let server = HttpServer::new(move || {
        let seen = seen.clone();
        App::new().route(
            SIGNATURE_CHECKS_PATH,
            // The body is read, as a real issuer does: actix closes a connection whose
            // request body was left unread.
            web::post().to(move |req: HttpRequest, _body: web::Bytes| {
                let seen = seen.clone();
                async move {
                    assert_eq!(
                        req.headers()
                            .get(INTERNAL_TOKEN_HEADER)
                            .map(|v| v.as_bytes()),
                        Some(SECRET.as_bytes())
                    );
                    let port = req.peer_addr().expect("a peer").port();
                    seen.lock().unwrap().insert(port);
                    HttpResponse::Ok().json(SignatureVerdict::Refused(Refusal::SignatureMismatch))
                }
            }),
        )
    })
    .workers(1)
    .bind(("127.0.0.1", 0))
    .unwrap();
    let addr = server.addrs()[0];
    // No graceful stop: the client keeps its connection open, and that is the point.
    let server = server.shutdown_timeout(0).disable_signals().run();
    let handle = server.handle();
    actix_web::rt::spawn(server);

    let credential = InternalCredential::new(SecretString::from(SECRET));
    let remote = RemoteSignatureVerifier::new(format!("http://{addr}"), credential);
    for _ in 0..5 {
        let verdict = remote.verify(&check()).await;
        assert_eq!(verdict.unwrap_err(), AuthError::SignatureMismatch);
    }
    // A second verifier on this thread shares the connection too.
    let again = RemoteSignatureVerifier::new(
        format!("http://{addr}"),
        InternalCredential::new(SecretString::from(SECRET)),
    );
    assert_eq!(
        again.verify(&check()).await.unwrap_err(),
        AuthError::SignatureMismatch
    );
    let ports = ports.lock().unwrap().clone();
    assert_eq!(ports.len(), 1, "the issuer saw connections from {ports:?}");
    handle.stop(true).await;
}

/// An issuer that answers its head and then stalls the body holds a signed request no
/// longer than the internal client's timeout: the whole call, body included, is bounded.
#[actix_web::test]
async fn an_issuer_that_stalls_its_body_is_unavailable_within_the_timeout() {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for mut stream in listener.incoming().flatten() {
            let mut buf = [0u8; 8192];
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(
                b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{",
            );
            held.push(stream);
        }
    });
    let credential = InternalCredential::new(SecretString::from(SECRET));
    let remote = RemoteSignatureVerifier::new(format!("http://{addr}"), credential);
    let started = std::time::Instant::now();
    let verdict = remote.verify(&check()).await;
    let took = started.elapsed();
    assert!(
        matches!(verdict, Err(AuthError::IssuerUnavailable(_))),
        "{verdict:?}"
    );
    assert!(took >= std::time::Duration::from_secs(4), "{took:?}");
    assert!(took < std::time::Duration::from_secs(7), "{took:?}");
}
