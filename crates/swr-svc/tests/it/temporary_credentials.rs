//! A temporary credential is not a long-term one: the long-term endpoints neither list,
//! disable, enable nor delete it, whoever asks; its id is answered as absent.

use diesel::prelude::*;
use serde_json::json;
use swr_svc::schema::credentials;

use crate::common::*;

/// `(id, kind, enabled)` of every stored credential, in id order.
fn stored(h: &Harness) -> Vec<(String, String, bool)> {
    let mut conn = h.db.pool.get().unwrap();
    credentials::table
        .select((credentials::id, credentials::kind, credentials::enabled))
        .order(credentials::id)
        .load(&mut conn)
        .unwrap()
}

#[actix_web::test]
async fn the_long_term_endpoints_do_not_see_a_temporary_credential() {
    let (h, app) = Harness::start().await;
    let admin = h.token("adam", PROJECT, &["admin"]);
    let carol = h.token("carol", PROJECT, &["member"]);
    let instance = create_instance(&app, &admin, PROJECT, "registry").await;
    let base = format!("/v2/{PROJECT}/instances/{instance}");
    let temp = app
        .post(&format!("{base}/temp-credential"))
        .token(&carol)
        .await
        .assert_created()
        .json();
    let id = temp["token_id"].as_str().unwrap();
    let before = stored(&h);
    assert_eq!(before.len(), 1);

    let one = format!("{base}/long-term-credentials/{id}");
    let key = h.permanent_key("carol", PROJECT, &["member"]);
    for (who, token) in [("its owner", &carol), ("an admin", &admin)] {
        for enable in [false, true] {
            let (status, body, _) = app
                .put(&one)
                .token(token)
                .json(&json!({ "enable": enable }))
                .await
                .parts();
            assert_swr_error(status, &body, 404, "SVCSTG.SWR.4048002");
            assert_eq!(stored(&h), before, "{who} set enable {enable}");
        }
        let (status, body, _) = app.delete(&one).token(token).await.parts();
        assert_swr_error(status, &body, 404, "SVCSTG.SWR.4048002");
        assert_eq!(stored(&h), before, "{who} deleted it");
    }
    // Signed by the owner's key, the same.
    let (status, body, _) = signed(&app, &key, "DELETE", &one, None).await.parts();
    assert_swr_error(status, &body, 404, "SVCSTG.SWR.4048002");
    // Another project's caller is refused before anything is looked up.
    let stranger = h.token("eve", OTHER_PROJECT, &["admin"]);
    let (status, body, _) = app.delete(&one).token(&stranger).await.parts();
    assert_swr_error(status, &body, 403, "SVCSTG.SWR.4039001");
    assert_eq!(stored(&h), before);

    // Nor is it listed, by its owner or by an admin listing everyone's.
    for (token, query) in [(&carol, ""), (&admin, "?self_only=false")] {
        let page = app
            .get(&format!("{base}/long-term-credentials{query}"))
            .token(token)
            .await
            .assert_ok()
            .json();
        assert_eq!(page, json!({ "total": 0, "auth_tokens": [] }), "{query}");
    }
}

#[actix_web::test]
async fn a_temporary_credential_takes_no_body_and_a_field_in_one_is_refused() {
    let (h, app) = Harness::start().await;
    let admin = h.token("adam", PROJECT, &["admin"]);
    let instance = create_instance(&app, &admin, PROJECT, "registry").await;
    let uri = format!("/v2/{PROJECT}/instances/{instance}/temp-credential");
    // A lifetime or anything else asked for would be a field accepted and ignored.
    for body in [json!({ "expire_seconds": 60 }), json!([]), json!(null)] {
        let (status, reply, _) = app.post(&uri).token(&admin).json(&body).await.parts();
        assert_swr_error(status, &reply, 400, "SVCSTG.SWR.4000014");
        assert!(stored(&h).is_empty(), "{body} stored a credential");
    }
    app.post(&uri)
        .token(&admin)
        .json(&json!({}))
        .await
        .assert_created();
    app.post(&uri).token(&admin).await.assert_created();
    assert_eq!(stored(&h).len(), 2);
}
