//! Discovery: the version documents anyone may read, the service catalog, and the scopes
//! the SDK resolves a missing project or domain id from (`GET /v3/projects?name=<region>`
//! and `GET /v3/auth/domains`, signed with no scope header), for each kind of caller.

use actix_web::http::StatusCode;
use iam_svc::bootstrap;
use serde_json::{json, Value};

use crate::common::*;
use iam_svc::config::IamConfig;

const VERSION: fn(&str) -> Value = |base| {
    json!({
        "id": "v3.6", "status": "stable", "updated": "2016-04-04T00:00:00Z",
        "links": [{ "rel": "self", "href": format!("{base}/v3/") }],
        "media-types": [{ "base": "application/json",
            "type": "application/vnd.openstack.identity-v3+json" }],
    })
};

/// A user holding `readonly` on `project_id`, and a token of theirs scoped to it.
async fn reader(app: &TestApp, admin: &str, project_id: &str) -> (String, String) {
    let user = app.create_user_as(admin, "reader").await;
    let group = app.create_group_as(admin, "readers").await;
    app.put(&format!("/v3/groups/{group}/users/{user}"))
        .token(admin)
        .await
        .assert_no_content();
    let grant = format!("/v3/projects/{project_id}/groups/{group}/roles/{READONLY_ROLE_ID}");
    app.put(&grant).token(admin).await.assert_no_content();
    let scope = project_scope(project_id);
    let token = app
        .login(bootstrap::DOMAIN, "reader", USER_PASSWORD, scope)
        .await;
    (user, token)
}

/// A permanent key of `user_id`, made with `token`.
async fn key_of(app: &TestApp, token: &str, user_id: &str) -> (String, String) {
    let body = app
        .post("/v3.0/OS-CREDENTIAL/credentials")
        .token(token)
        .json(&json!({ "credential": { "user_id": user_id } }))
        .await
        .assert_created()
        .json();
    let field = |f: &str| body["credential"][f].as_str().expect(f).to_string();
    (field("access"), field("secret"))
}

fn ids(body: &Value, list: &str) -> Vec<String> {
    body[list]
        .as_array()
        .unwrap_or_else(|| panic!("no {list} in {body}"))
        .iter()
        .map(|x| x["id"].as_str().expect("id").to_string())
        .collect()
}

#[actix_web::test]
async fn anyone_reads_the_version_documents_linked_under_the_public_url() {
    let (_h, app, _) = Harness::with_admin().await;
    let (status, body, _) = app.get("/").await.parts();
    assert_eq!(status, StatusCode::MULTIPLE_CHOICES, "{body}");
    assert_eq!(
        body,
        json!({ "versions": { "values": [VERSION("http://iam.test")] } })
    );
    for uri in ["/v3", "/v3/"] {
        let body = app.get(uri).await.assert_ok().json();
        assert_eq!(
            body,
            json!({ "version": VERSION("http://iam.test") }),
            "{uri}"
        );
    }
    // A credential changes nothing, even a bad one: the documents are public.
    let body = app.get("/v3").token("not-a-token").await.assert_ok().json();
    assert_eq!(body, json!({ "version": VERSION("http://iam.test") }));
}

#[actix_web::test]
async fn the_catalog_lists_the_configured_services_to_every_authenticated_caller() {
    let (h, app, admin) = Harness::with_admin().await;
    let (reader_id, reader_token) = reader(&app, &admin, &h.boot.project_id).await;
    let other = h.other_tenant("other");
    let other_token = app
        .login(
            "other",
            "admin",
            ADMIN_PASSWORD,
            project_scope(&other.project_id),
        )
        .await;
    let key = key_of(&app, &admin, &h.boot.user_id).await;
    let expected = app
        .get("/v3/auth/catalog")
        .token(&admin)
        .await
        .assert_ok()
        .json();
    let names: Vec<_> = expected["catalog"]
        .as_array()
        .expect("catalog")
        .iter()
        .map(|e| e["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["iam", "swr", "lakeformation", "tcr"]);
    assert_eq!(
        expected["links"],
        json!({ "self": "http://iam.test/v3/auth/catalog" })
    );
    for token in [&reader_token, &other_token] {
        let body = app
            .get("/v3/auth/catalog")
            .token(token)
            .await
            .assert_ok()
            .json();
        assert_eq!(body, expected);
    }
    let (ak, sk) = (key.0.as_str(), key.1.as_str());
    let temporary = fake_security_token(&reader_id);
    for req in [
        sdk_signed_get("/v3/auth/catalog", (ak, sk), &[]),
        sdk_signed_get(
            "/v3/auth/catalog",
            (ak, sk),
            &[("X-Domain-Id", &h.boot.domain_id)],
        ),
        temporary_signed(
            "GET",
            "/v3/auth/catalog",
            &Value::Null,
            &reader_id,
            &h.boot.project_id,
        ),
        sdk_signed_get(
            "/v3/auth/catalog",
            (
                "TEMPAKFAKE0000000000",
                "temporary-secret-not-checked-by-the-fake",
            ),
            &[("X-Security-Token", &temporary)],
        ),
    ] {
        let (status, body, _) = app.call(req).await.parts();
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body, expected);
    }
    app.get("/v3/auth/catalog")
        .await
        .assert_keystone_error(401, MSG_NEEDS_AUTH);
    app.get("/v3/auth/catalog")
        .token("not-a-token")
        .await
        .assert_keystone_error(401, MSG_NEEDS_AUTH);
}

#[actix_web::test]
async fn a_service_without_an_address_is_left_out_of_the_catalog_and_of_tokens() {
    let config = IamConfig::from_toml(
        "public_url = \"https://iam.example\"\n[passwords]\npbkdf2_iterations = 1000\n\
         [catalog]\nregion = \"eu-1\"\nswr_url = \"\"\ntcr_url = \"\"\n\
         lakeformation_url = \"https://lf.example/\"",
    )
    .expect("config");
    let (_h, app, admin) = Harness::with_config(config).await.admin_scene().await;
    let body = app
        .get("/v3/auth/catalog")
        .token(&admin)
        .await
        .assert_ok()
        .json();
    let endpoint = |name: &str, url: &str, region: &str| {
        json!([{ "id": format!("{name}-public"), "url": url, "region": region,
            "region_id": region, "interface": "public" }])
    };
    assert_eq!(
        body["catalog"],
        json!([
            { "type": "identity", "id": "iam", "name": "iam",
              "endpoints": endpoint("iam", "https://iam.example/v3", "*") },
            { "type": "lakeformation", "id": "lakeformation", "name": "lakeformation",
              "endpoints": endpoint("lakeformation", "https://lf.example", "eu-1") },
        ])
    );
    let token = app
        .get("/v3/auth/tokens")
        .token(&admin)
        .header("X-Subject-Token", admin.clone())
        .await
        .assert_ok()
        .json();
    assert_eq!(token["token"]["catalog"], body["catalog"]);
}

#[actix_web::test]
async fn every_user_of_a_domain_sees_their_own_domain_and_no_other() {
    let (h, app, admin) = Harness::with_admin().await;
    let (reader_id, reader_token) = reader(&app, &admin, &h.boot.project_id).await;
    let member = app
        .project_member(&admin, "alice", &h.boot.project_id)
        .await;
    let other = h.other_tenant("other");
    let other_token = app
        .login(
            "other",
            "admin",
            ADMIN_PASSWORD,
            project_scope(&other.project_id),
        )
        .await;
    for token in [&admin, &reader_token, &member.token] {
        let body = app
            .get("/v3/auth/domains")
            .token(token)
            .await
            .assert_ok()
            .json();
        assert_eq!(ids(&body, "domains"), [h.boot.domain_id.as_str()]);
        assert_eq!(body["domains"][0]["name"], bootstrap::DOMAIN);
    }
    let body = app
        .get("/v3/auth/domains")
        .token(&other_token)
        .await
        .assert_ok()
        .json();
    assert_eq!(ids(&body, "domains"), [other.domain_id.as_str()]);

    // What GlobalCredentials without a domain id signs: no scope header at all.
    let key = key_of(&app, &reader_token, &reader_id).await;
    let req = sdk_signed_get("/v3/auth/domains", (&key.0, &key.1), &[]);
    let (status, body, _) = app.call(req).await.parts();
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(ids(&body, "domains"), [h.boot.domain_id.as_str()]);
    let req = temporary_signed(
        "GET",
        "/v3/auth/domains",
        &Value::Null,
        &reader_id,
        &h.boot.project_id,
    );
    let (status, body, _) = app.call(req).await.parts();
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(ids(&body, "domains"), [h.boot.domain_id.as_str()]);
    // Another domain's id in a signed scope is refused, not answered with its domain.
    let req = sdk_signed_get(
        "/v3/auth/domains",
        (&key.0, &key.1),
        &[("X-Domain-Id", &other.domain_id)],
    );
    let (status, body, _) = app.call(req).await.parts();
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    app.get("/v3/auth/domains")
        .await
        .assert_keystone_error(401, MSG_NEEDS_AUTH);
}

#[actix_web::test]
async fn the_sdks_project_lookup_by_region_name_finds_only_the_callers_project() {
    let (h, app, admin) = Harness::with_admin().await;
    let (reader_id, reader_token) = reader(&app, &admin, &h.boot.project_id).await;
    app.create_project_as(&admin, "local-1_hidden").await;
    // Another account with a project of the same name (a region's name, in Huawei's
    // naming) must not make the lookup ambiguous.
    let other = h.other_tenant("other");
    {
        let mut conn = h.db.pool.get().expect("conn");
        let project = iam_svc::repo::projects::Project {
            id: iam_svc::repo::new_id(),
            domain_id: other.domain_id.clone(),
            parent_id: None,
            name: bootstrap::PROJECT.into(),
            description: String::new(),
            enabled: true,
            created_at: h.state.clock.stored_now(),
        };
        iam_svc::repo::projects::insert(&mut conn, &project).expect("project");
    }
    let lookup = format!("/v3/projects?name={}", bootstrap::PROJECT);
    for (user, token) in [(&h.boot.user_id, &admin), (&reader_id, &reader_token)] {
        let key = key_of(&app, token, user).await;
        for uri in [lookup.as_str(), "/v3/auth/projects"] {
            let req = sdk_signed_get(uri, (&key.0, &key.1), &[]);
            let (status, body, _) = app.call(req).await.parts();
            assert_eq!(status, StatusCode::OK, "{uri}: {body}");
            let found = ids(&body, "projects");
            if uri == lookup {
                assert_eq!(found, [h.boot.project_id.as_str()], "{uri}");
            } else {
                assert!(found.contains(&h.boot.project_id), "{uri}: {body}");
                let foreign = body.to_string().contains(&other.domain_id);
                assert!(!foreign, "{uri}: another domain's project: {body}");
            }
        }
    }
    // The reader holds a role on the bootstrap project only.
    let body = app
        .get("/v3/auth/projects")
        .token(&reader_token)
        .await
        .assert_ok()
        .json();
    assert_eq!(ids(&body, "projects"), [h.boot.project_id.as_str()]);
    let req = temporary_signed("GET", &lookup, &Value::Null, &reader_id, &h.boot.project_id);
    let (status, body, _) = app.call(req).await.parts();
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(ids(&body, "projects"), [h.boot.project_id.as_str()]);
}

#[actix_web::test]
async fn a_disabled_user_discovers_nothing() {
    let (h, app, admin) = Harness::with_admin().await;
    let (reader_id, reader_token) = reader(&app, &admin, &h.boot.project_id).await;
    let key = key_of(&app, &reader_token, &reader_id).await;
    app.patch(&format!("/v3/users/{reader_id}"))
        .token(&admin)
        .json(&json!({ "user": { "enabled": false } }))
        .await
        .assert_ok();
    h.state.sync_revocations().await.expect("sync");
    for uri in ["/v3/auth/catalog", "/v3/auth/domains", "/v3/auth/projects"] {
        app.get(uri)
            .token(&reader_token)
            .await
            .assert_keystone_error(401, MSG_NEEDS_AUTH);
        let req = sdk_signed_get(uri, (&key.0, &key.1), &[]);
        let (status, body, _) = app.call(req).await.parts();
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{uri}: {body}");
        assert_eq!(body["error"]["code"], 401, "{uri}: {body}");
    }
    // The version documents stay open.
    app.get("/v3").token(&reader_token).await.assert_ok();
}
