//! The check that a service serves the OpenAPI document committed under docs/openapi/.
//!
//! With `OPENAPI_WRITE=1` in the environment (`make openapi`) the check writes the served
//! document to the committed file instead, so a change of the API is one command and a
//! reviewed diff.

use std::path::PathBuf;

use super::TestApp;
use crate::openapi::PATH;

/// Fetches `/openapi.json` from `app` and compares it with `docs/openapi/<service>.json`
/// (from the workspace root), or writes it there when `OPENAPI_WRITE=1`.
pub async fn assert_committed(app: &TestApp, service: &str) {
    let res = app.get(PATH).await.assert_ok();
    assert_eq!(res.header("content-type"), Some("application/json"));
    let served = res.text();
    let file = committed_path(service);
    if std::env::var("OPENAPI_WRITE").as_deref() == Ok("1") {
        std::fs::write(&file, &served)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", file.display()));
        return;
    }
    let committed = std::fs::read_to_string(&file).unwrap_or_default();
    assert!(
        served == committed,
        "{} differs from the served /openapi.json: run `make openapi` and review the diff",
        file.display()
    );
}

fn committed_path(service: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs/openapi")
        .join(format!("{service}.json"))
}
