//! Enabling and disabling a long-term credential: the owner may undo their own disable,
//! but only a project admin undoes an admin's; who disabled it is stored with the row.

use actix_web::http::StatusCode;
use diesel::prelude::*;
use serde_json::{json, Value};
use swr_svc::schema::credentials;

use crate::common::*;

const SERVICE: &str = "swr-registry";

fn login<'a>(app: &'a TestApp, user: &str, password: &str) -> TestCall<'a> {
    token_request(app, &format!("service={SERVICE}"), user, password)
}

/// `(enabled, disabled_by, disabled_by_admin)` of the stored row.
fn stored(h: &Harness, id: &str) -> (bool, Option<String>, bool) {
    let mut conn = h.db.pool.get().unwrap();
    credentials::table
        .find(id)
        .select((
            credentials::enabled,
            credentials::disabled_by,
            credentials::disabled_by_admin,
        ))
        .first(&mut conn)
        .unwrap()
}

async fn put(app: &TestApp, token: &str, uri: &str, enable: bool) -> (StatusCode, Value) {
    let (status, body, _) = app
        .put(uri)
        .token(token)
        .json(&json!({ "enable": enable }))
        .await
        .parts();
    (status, body)
}

#[actix_web::test]
async fn only_an_admin_undoes_an_admins_disable() {
    let (h, app) = Harness::start().await;
    let admin = h.token("adam", PROJECT, &["admin"]);
    for owner_roles in [&["readonly"][..], &["member"][..]] {
        let instance =
            create_instance(&app, &admin, PROJECT, &format!("reg-{}", owner_roles[0])).await;
        let owner = h.token("carol", PROJECT, owner_roles);
        let created = app
            .post(&format!(
                "/v2/{PROJECT}/instances/{instance}/long-term-credential"
            ))
            .token(&owner)
            .json(&json!({ "name": "ci" }))
            .await
            .assert_created()
            .json();
        let id = created["token_id"].as_str().unwrap();
        let (user, password) = (
            created["user_id"].as_str().unwrap(),
            created["auth_token"].as_str().unwrap(),
        );
        let one = format!("/v2/{PROJECT}/instances/{instance}/long-term-credentials/{id}");

        assert_eq!(put(&app, &admin, &one, false).await.0, StatusCode::CREATED);
        assert_eq!(stored(&h, id), (false, Some("adam-id".into()), true));
        // The owner cannot undo it, and disabling it again does not make it theirs.
        let (status, body) = put(&app, &owner, &one, true).await;
        assert_swr_error(status, &body, 403, "SVCSTG.SWR.4039002");
        assert_eq!(put(&app, &owner, &one, false).await.0, StatusCode::CREATED);
        let (status, body) = put(&app, &owner, &one, true).await;
        assert_swr_error(status, &body, 403, "SVCSTG.SWR.4039002");
        assert_eq!(stored(&h, id), (false, Some("adam-id".into()), true));
        assert_eq!(
            login(&app, user, password).await.parts().0,
            StatusCode::UNAUTHORIZED
        );

        // The admin can; then the owner's own disable is theirs to undo.
        assert_eq!(put(&app, &admin, &one, true).await.0, StatusCode::CREATED);
        assert_eq!(stored(&h, id), (true, None, false));
        assert_eq!(login(&app, user, password).await.parts().0, StatusCode::OK);
        assert_eq!(put(&app, &owner, &one, false).await.0, StatusCode::CREATED);
        assert_eq!(stored(&h, id), (false, Some("carol-id".into()), false));
        assert_eq!(put(&app, &owner, &one, true).await.0, StatusCode::CREATED);
        assert_eq!(login(&app, user, password).await.parts().0, StatusCode::OK);
    }
}
