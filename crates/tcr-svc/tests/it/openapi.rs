//! The OpenAPI document: served as committed, covering what the app routes, and the
//! routes it does not document answering as they always did.

use crate::common::*;

#[actix_web::test]
async fn served_document_is_the_committed_one() {
    let (_h, app) = Harness::start().await;
    service_kit::testing::openapi::assert_committed(&app, "tcr").await;
}

#[actix_web::test]
async fn the_document_leaves_the_action_dispatch_as_it_was() {
    let (_h, app) = Harness::start().await;
    // Only POST runs an action; GET answers in the envelope, other methods and paths are
    // not found, with an empty body, as before /openapi.json was mounted.
    let get = response(app.get("/")).await;
    assert_eq!(code(&get), "UnsupportedProtocol");
    for (method, path) in [
        ("PUT", "/"),
        ("DELETE", "/"),
        ("PATCH", "/"),
        ("HEAD", "/"),
        ("GET", "/nope"),
        ("POST", "/nope"),
        ("POST", "/openapi.json"),
        ("GET", "/openapi.json/x"),
    ] {
        let res = app.request(method, path).await;
        assert_eq!(res.status().as_u16(), 404, "{method} {path}");
        assert!(res.bytes().is_empty(), "{method} {path}");
    }
    let r = act(&app, &ALICE, "DescribeInstances", "{}").await;
    assert_eq!(r["TotalCount"], 0, "{r}");
}
