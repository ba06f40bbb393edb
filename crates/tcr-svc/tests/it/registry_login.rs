//! Registry login with instance tokens through `/service/token`.

use actix_web::test::{self, TestRequest};
use base64::Engine as _;
use serde_json::{json, Value};

use crate::common::*;

const SERVICE: &str = "tcr-registry";

/// Status and the JWT's `access` claim (or the body, when refused).
async fn login<S, B>(app: &S, user: &str, token: &str) -> (u16, Value)
where
    S: actix_web::dev::Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse<B>,
        Error = actix_web::Error,
    >,
    B: actix_web::body::MessageBody,
{
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{token}"));
    let req = TestRequest::get()
        .uri(&format!(
            "/service/token?service={SERVICE}&scope=repository%3Ateam%2Fapp%3Apull%2Cpush"
        ))
        .insert_header(("Authorization", format!("Basic {basic}")));
    let res = test::call_service(app, req.to_request()).await;
    let status = res.status().as_u16();
    let body: Value = serde_json::from_slice(&test::read_body(res).await).unwrap();
    if status != 200 {
        return (status, body);
    }
    let payload = body["token"].as_str().unwrap().split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    (status, claims["access"].clone())
}

#[actix_web::test]
async fn temp_and_longterm_tokens_log_in_until_disabled_or_deleted() {
    let h = Harness::new().await;
    let app = h.app().await;
    let reg = create_registry(&app, &ALICE, "login-reg").await;
    let temp = call(
        &app,
        signed(
            &ALICE,
            "CreateInstanceToken",
            &format!(r#"{{"RegistryId": "{reg}"}}"#),
        ),
    )
    .await;
    let body = format!(r#"{{"RegistryId": "{reg}", "TokenType": "longterm"}}"#);
    let long = call(&app, signed(&ALICE, "CreateInstanceToken", &body)).await;
    let full = json!([{ "type": "repository", "name": "team/app", "actions": ["pull", "push"] }]);
    for t in [&temp, &long] {
        let (status, access) = login(
            &app,
            t["Username"].as_str().unwrap(),
            t["Token"].as_str().unwrap(),
        )
        .await;
        assert_eq!((status, access), (200, full.clone()));
    }
    let user = long["Username"].as_str().unwrap();
    let token = long["Token"].as_str().unwrap();
    assert_eq!(login(&app, "someone-else", token).await.0, 401);
    let id = long["TokenId"].as_str().unwrap();
    let disable = format!(
        r#"{{"TokenId": "{id}", "RegistryId": "{reg}", "ModifyFlag": 2, "Enable": false}}"#
    );
    call(&app, signed(&ALICE, "ModifyInstanceToken", &disable)).await;
    let (status, body) = login(&app, user, token).await;
    assert_eq!(status, 401);
    assert_eq!(body["errors"][0]["code"], "UNAUTHORIZED");
    call(
        &app,
        signed(
            &ALICE,
            "ModifyInstanceToken",
            &disable.replace("false", "true"),
        ),
    )
    .await;
    assert_eq!(login(&app, user, token).await.0, 200);
    call(
        &app,
        signed(
            &ALICE,
            "DeleteInstanceToken",
            &format!(r#"{{"RegistryId": "{reg}", "TokenId": "{id}"}}"#),
        ),
    )
    .await;
    assert_eq!(login(&app, user, token).await.0, 401);
    // Deleting the registry ends its temp tokens too.
    call(
        &app,
        signed(
            &ALICE,
            "DeleteInstance",
            &format!(r#"{{"RegistryId": "{reg}"}}"#),
        ),
    )
    .await;
    assert_eq!(
        login(
            &app,
            temp["Username"].as_str().unwrap(),
            temp["Token"].as_str().unwrap()
        )
        .await
        .0,
        401
    );
}

#[actix_web::test]
async fn a_readonly_users_token_pulls_only() {
    let h = Harness::new().await;
    let app = h.app().await;
    let reg = create_registry(&app, &ALICE, "ro-reg").await;
    let r = call(
        &app,
        signed(
            &RITA,
            "CreateInstanceToken",
            &format!(r#"{{"RegistryId": "{reg}"}}"#),
        ),
    )
    .await;
    assert_eq!(code(&r), "", "{r}");
    let (status, access) = login(
        &app,
        r["Username"].as_str().unwrap(),
        r["Token"].as_str().unwrap(),
    )
    .await;
    assert_eq!(
        (status, access),
        (
            200,
            json!([{ "type": "repository", "name": "team/app", "actions": ["pull"] }])
        )
    );
}
