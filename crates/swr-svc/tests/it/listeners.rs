//! With `server.internal_port` set, `/internal/` paths answer only on the internal
//! listener and the public API only on the public one; health answers on both. A test
//! request arrives on actix's test address, 127.0.0.1:8080, so the app is told that port
//! is, or is not, the internal listener's.

use actix_web::http::StatusCode;
use actix_web::web;
use service_kit::http::InternalListener;

use crate::common::*;

#[actix_web::test]
async fn each_listener_serves_its_own_paths() {
    let h = Harness::new().await;
    let token = h.token("alice", PROJECT, &["member"]);
    let list = format!("/v2/{PROJECT}/instances");
    for (internal_port, public_api, internal_paths) in [
        (9, StatusCode::OK, StatusCode::NOT_FOUND),
        (8080, StatusCode::NOT_FOUND, StatusCode::NOT_FOUND),
    ] {
        let app = TestApp::init(swr_svc::app::build(h.state.clone(), &h.parts).app_data(
            web::Data::new(InternalListener {
                port: internal_port,
            }),
        ))
        .await;
        let (status, body, _) = app.get(&list).token(&token).await.parts();
        assert_eq!(status, public_api, "{internal_port}: {body}");
        if status == StatusCode::NOT_FOUND {
            assert_swr_error(status, &body, 404, "SVCSTG.SWR.4040083");
        }
        // swr-svc serves no internal path: not found on either listener, in its envelope.
        let (status, body, _) = app.get("/internal/v1/anything").await.parts();
        assert_eq!(status, internal_paths, "{internal_port}: {body}");
        assert_swr_error(status, &body, 404, "SVCSTG.SWR.4040083");
        let (status, _, _) = app.get("/healthz").await.parts();
        assert_eq!(status, StatusCode::OK, "health answers on {internal_port}");
    }
}
