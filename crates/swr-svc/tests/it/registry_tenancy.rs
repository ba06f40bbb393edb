//! Registries are tenants: a credential opens its own instance's namespaces and nothing of
//! another project's, whatever it asks and whichever registry it names; public namespaces
//! give pull to anyone; a deleted namespace's name never passes to another tenant.

use actix_web::http::StatusCode;
use diesel::prelude::*;
use futures_util::future::{join, join_all};
use serde_json::{json, Value};
use swr_svc::schema::namespaces;

use crate::common::*;

/// Two tenants of the one configured registry: project A's instance with the private
/// namespace `team-a`, project B's with the private `team-b` and the public `team-b-pub`,
/// and a long-term credential of a member of A.
struct Tenants {
    a_admin: String,
    a_instance: String,
    b_admin: String,
    b_instance: String,
    user_id: String,
    password: String,
}

async fn tenants(h: &Harness, app: &TestApp, roles: &[&str]) -> Tenants {
    let a_admin = h.token("adam", PROJECT, &["admin"]);
    let b_admin = h.token("bea", OTHER_PROJECT, &["admin"]);
    let a_instance = create_instance(app, &a_admin, PROJECT, "alpha").await;
    let b_instance = create_instance(app, &b_admin, OTHER_PROJECT, "beta").await;
    create_namespace(app, &a_admin, PROJECT, &a_instance, "team-a", false).await;
    create_namespace(app, &b_admin, OTHER_PROJECT, &b_instance, "team-b", false).await;
    create_namespace(
        app,
        &b_admin,
        OTHER_PROJECT,
        &b_instance,
        "team-b-pub",
        true,
    )
    .await;
    let carol = h.token("carol", PROJECT, roles);
    let body = app
        .post(&format!(
            "/v2/{PROJECT}/instances/{a_instance}/long-term-credential"
        ))
        .token(&carol)
        .json(&json!({ "name": "ci" }))
        .await
        .assert_created()
        .json();
    Tenants {
        a_admin,
        a_instance,
        b_admin,
        b_instance,
        user_id: body["user_id"].as_str().unwrap().into(),
        password: body["auth_token"].as_str().unwrap().into(),
    }
}

/// The actions of each access entry the credential (or nobody, with `None`) is granted
/// for `scopes` on `service`.
async fn actions(
    app: &TestApp,
    who: Option<&Tenants>,
    service: &str,
    scopes: &[&str],
) -> Vec<Value> {
    let mut query = format!("service={service}");
    for scope in scopes {
        query.push_str(&format!("&scope={scope}"));
    }
    let req = match who {
        Some(t) => token_request(app, &query, &t.user_id, &t.password),
        None => app.get(&format!("/service/token?{query}")),
    };
    let body = req.await.assert_ok().json();
    let c = claims(body["token"].as_str().unwrap());
    assert_eq!(c["aud"], service);
    c["access"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["actions"].clone())
        .collect()
}

const EVERYTHING: &str = "pull,push,delete";

#[actix_web::test]
async fn a_credential_gets_nothing_in_another_tenants_private_namespace() {
    let (h, app) = Harness::start().await;
    for roles in [&["member"][..], &["admin"][..]] {
        let (h, app) = Harness::start().await;
        let t = tenants(&h, &app, roles).await;
        let got = actions(
            &app,
            Some(&t),
            SERVICE,
            &[
                &format!("repository:team-b/prod-app:{EVERYTHING}"),
                &format!("repository:team-a/app:{EVERYTHING}"),
            ],
        )
        .await;
        let own = if roles == ["admin"] {
            json!(["pull", "push", "delete"])
        } else {
            json!(["pull", "push"])
        };
        assert_eq!(got, [json!([]), own], "{roles:?}");
    }
    // Naming another registry service is no way around it: the login is refused.
    let t = tenants(&h, &app, &["member"]).await;
    let req = token_request(
        &app,
        &format!("service=team-b-registry&scope=repository:team-b/app:{EVERYTHING}"),
        &t.user_id,
        &t.password,
    );
    let body = req.await.assert_unauthorized().json();
    assert_eq!(body["errors"][0]["code"], "UNAUTHORIZED");
}

#[actix_web::test]
async fn public_namespaces_give_pull_only_to_other_tenants_and_to_anonymous_callers() {
    let (h, app) = Harness::start().await;
    let t = tenants(&h, &app, &["admin"]).await;
    let asked = [
        format!("repository:team-b-pub/app:{EVERYTHING}"),
        format!("repository:team-b/app:{EVERYTHING}"),
        format!("repository:team-a/app:{EVERYTHING}"),
    ];
    let asked: Vec<&str> = asked.iter().map(String::as_str).collect();
    let got = actions(&app, Some(&t), SERVICE, &asked).await;
    assert_eq!(
        got,
        [
            json!(["pull"]),
            json!([]),
            json!(["pull", "push", "delete"])
        ]
    );
    let anonymous = actions(&app, None, SERVICE, &asked).await;
    assert_eq!(anonymous, [json!(["pull"]), json!([]), json!([])]);
    // Anonymous on a service that is not the configured one: no namespace is found.
    let elsewhere = actions(&app, None, "other-registry", &asked).await;
    assert_eq!(elsewhere, [json!([]), json!([]), json!([])]);
    // A login check needs credentials.
    app.get(&format!("/service/token?service={SERVICE}"))
        .await
        .assert_unauthorized();
    // Made private again, it gives other tenants nothing.
    let req = app
        .put(&format!(
            "/v2/{OTHER_PROJECT}/instances/{}/namespaces/team-b-pub",
            t.b_instance
        ))
        .token(&t.b_admin)
        .json(&json!({ "metadata": { "public": "false" } }));
    assert_eq!(req.await.parts().0, StatusCode::OK);
    let got = actions(&app, Some(&t), SERVICE, &asked[..1]).await;
    assert_eq!(got, [json!([])]);
    assert_eq!(actions(&app, None, SERVICE, &asked[..1]).await, [json!([])]);
}

#[actix_web::test]
async fn unknown_namespaces_and_bare_names_give_nothing() {
    let (h, app) = Harness::start().await;
    let t = tenants(&h, &app, &["admin"]).await;
    let got = actions(
        &app,
        Some(&t),
        SERVICE,
        &[
            "repository:ghost/app:pull,push",
            "repository:app:pull,push",
            "repository:team-a:pull",
            "registry:catalog:*",
        ],
    )
    .await;
    assert!(got.iter().all(|a| a == &json!([])), "{got:?}");
}

#[actix_web::test]
async fn a_deleted_namespace_opens_to_nobody_and_its_name_stays_with_its_instance() {
    let (h, app) = Harness::start().await;
    let t = tenants(&h, &app, &["member"]).await;
    let own = format!("repository:team-a/app:{EVERYTHING}");
    let one = format!("/v2/{PROJECT}/instances/{}/namespaces/team-a", t.a_instance);
    app.delete(&one).token(&t.a_admin).await.assert_ok();
    assert_eq!(actions(&app, Some(&t), SERVICE, &[&own]).await, [json!([])]);
    let (status, body, _) = app.get(&one).token(&t.a_admin).await.parts();
    assert_swr_error(status, &body, 404, "SVCSTG.SWR.4040058");

    // Another tenant cannot take the name, public or not.
    for public in [false, true] {
        let (status, body) = try_create_namespace(
            &app,
            &t.b_admin,
            OTHER_PROJECT,
            &t.b_instance,
            "team-a",
            public,
        )
        .await;
        assert_swr_error(status, &body, 409, "SVCSTG.SWR.4090060");
    }
    // Another instance of the same project cannot either.
    let gamma = create_instance(&app, &t.a_admin, PROJECT, "gamma").await;
    let (status, body) =
        try_create_namespace(&app, &t.a_admin, PROJECT, &gamma, "team-a", false).await;
    assert_swr_error(status, &body, 409, "SVCSTG.SWR.4090060");

    // Its own instance takes it back.
    create_namespace(&app, &t.a_admin, PROJECT, &t.a_instance, "team-a", false).await;
    let granted = actions(&app, Some(&t), SERVICE, &[&own]).await;
    assert_eq!(granted, [json!(["pull", "push"])]);

    // Deleting an instance keeps its names: B's are taken for good.
    let b = format!("/v2/{OTHER_PROJECT}/instances/{}", t.b_instance);
    app.delete(&b).token(&t.b_admin).await.assert_accepted();
    let anonymous = actions(&app, None, SERVICE, &["repository:team-b-pub/app:pull"]).await;
    assert_eq!(anonymous, [json!([])]);
    for name in ["team-b", "team-b-pub"] {
        let (status, body) =
            try_create_namespace(&app, &t.a_admin, PROJECT, &t.a_instance, name, false).await;
        assert_swr_error(status, &body, 409, "SVCSTG.SWR.4090060");
    }
}

#[actix_web::test]
async fn a_caller_cannot_choose_the_registry_of_an_instance() {
    let (h, app) = Harness::start().await;
    let b_admin = h.token("bea", OTHER_PROJECT, &["admin"]);
    let uri = format!("/v2/{OTHER_PROJECT}/instances");
    for registry in [
        json!({ "service": "team-a-registry", "address": "registry.team-a:5000" }),
        json!({ "service": SERVICE, "address": "127.0.0.1:5000" }),
        json!({}),
        json!("team-a-registry"),
        json!(null),
    ] {
        let body = json!({ "name": "sneaky", "registry": registry });
        let (status, body, _) = app.post(&uri).token(&b_admin).json(&body).await.parts();
        assert_swr_error(status, &body, 400, "SVCSTG.SWR.4000014");
        assert!(
            body["error_msg"].as_str().unwrap().contains("registry"),
            "{body}"
        );
    }
    let (_, listed, _) = app.get(&uri).token(&b_admin).await.parts();
    assert_eq!(listed["total"], 0);
    // What an instance shows is the configured registry.
    let id = create_instance(&app, &b_admin, OTHER_PROJECT, "plain").await;
    let (_, shown, _) = app
        .get(&format!("{uri}/{id}"))
        .token(&b_admin)
        .await
        .parts();
    assert_eq!(
        shown["registry"],
        json!({ "service": SERVICE, "address": "127.0.0.1:5000" })
    );
    assert_eq!(shown["access_address"], "127.0.0.1:5000");
}

/// Two projects' instances race for the same names: each name goes to exactly one, on
/// SQLite and PostgreSQL, and the other is told it exists.
#[actix_web::test]
async fn racing_tenants_get_each_name_exactly_once() {
    let h = Harness::shared().await;
    let app = h.app().await;
    let a = h.token("adam", PROJECT, &["admin"]);
    let b = h.token("bea", OTHER_PROJECT, &["admin"]);
    let a_instance = create_instance(&app, &a, PROJECT, "alpha").await;
    let b_instance = create_instance(&app, &b, OTHER_PROJECT, "beta").await;
    let names: Vec<String> = (0..12).map(|n| format!("shared-{n}")).collect();
    let racers = names.iter().flat_map(|name| {
        [
            (a.as_str(), PROJECT, a_instance.as_str()),
            (b.as_str(), OTHER_PROJECT, b_instance.as_str()),
        ]
        .map(|(token, project, instance)| {
            try_create_namespace(&app, token, project, instance, name, false)
        })
    });
    let results = join_all(racers).await;
    for (name, pair) in names.iter().zip(results.chunks(2)) {
        let mut statuses: Vec<u16> = pair.iter().map(|(s, _)| s.as_u16()).collect();
        statuses.sort();
        assert_eq!(statuses, [201, 409], "{name}: {pair:?}");
        let lost = pair.iter().find(|(s, _)| s.as_u16() == 409).unwrap();
        assert_eq!(lost.1["error_code"], "SVCSTG.SWR.4090060", "{name}");
    }
    // Each name is listed by exactly one of the two instances.
    let listed = |token: &str, project: &str, instance: &str| {
        app.get(&format!(
            "/v2/{project}/instances/{instance}/namespaces?limit=100"
        ))
        .token(token)
    };
    let (_, in_a, _) = listed(&a, PROJECT, &a_instance).await.parts();
    let (_, in_b, _) = listed(&b, OTHER_PROJECT, &b_instance).await.parts();
    let total = in_a["total"].as_i64().unwrap() + in_b["total"].as_i64().unwrap();
    assert_eq!(total, names.len() as i64, "{in_a} {in_b}");
}

/// An instance deleted while its namespaces are being made leaves none of them live: each
/// create either comes first (and the delete tombstones it) or finds no instance (404).
#[actix_web::test]
async fn an_instance_deleted_while_namespaces_are_made_leaves_none_of_them_live() {
    let h = Harness::shared().await;
    let app = h.app().await;
    let admin = h.token("adam", PROJECT, &["admin"]);
    for round in 0..4 {
        let instance = create_instance(&app, &admin, PROJECT, &format!("doomed-{round}")).await;
        let creates = (0..6).map(|n| {
            let (app, admin, instance) = (&app, &admin, &instance);
            async move {
                let name = format!("r{round}-ns{n}");
                let (status, body) =
                    try_create_namespace(app, admin, PROJECT, instance, &name, false).await;
                assert!([201, 404].contains(&status.as_u16()), "{status}: {body}");
            }
        });
        let delete = async {
            let uri = format!("/v2/{PROJECT}/instances/{instance}");
            app.delete(&uri).token(&admin).await.assert_accepted();
        };
        join(join_all(creates), delete).await;
        let mut conn = h.db.pool.get().unwrap();
        let live: i64 = namespaces::table
            .filter(namespaces::instance_id.eq(&instance))
            .filter(namespaces::deleted_at.is_null())
            .count()
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(live, 0, "round {round}");
    }
}
