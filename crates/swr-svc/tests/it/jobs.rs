//! Jobs are stored records of what the API did to an instance: its creation (the id the
//! create answers) and its deletion, each `Success` as it finished in its request; a
//! refused create leaves none; deleting a job forgets it and nothing else.

use actix_web::http::StatusCode;
use diesel::prelude::*;
use futures_util::future::join_all;
use serde_json::{json, Value};
use swr_svc::schema::jobs;

use crate::common::*;

/// `(kind, status, instance_id)` of every stored job, oldest first.
fn stored(h: &Harness) -> Vec<(String, String, String)> {
    let mut conn = h.db.pool.get().unwrap();
    jobs::table
        .select((jobs::kind, jobs::status, jobs::instance_id))
        .order((jobs::created_at, jobs::id))
        .load(&mut conn)
        .unwrap()
}

#[actix_web::test]
async fn an_instances_creation_and_deletion_are_jobs_that_say_how_they_ended() {
    let (h, app) = Harness::start().await;
    let admin = h.token("alice", PROJECT, &["admin"]);
    let made = app
        .post(&format!("/v2/{PROJECT}/instances"))
        .token(&admin)
        .json(&json!({ "name": "short-lived" }))
        .await
        .assert_created()
        .json();
    let (instance, job) = (
        made["instance_id"].as_str().unwrap(),
        made["job_id"].as_str().unwrap(),
    );
    let shown = app
        .get(&format!("/v2/{PROJECT}/jobs/{job}"))
        .token(&admin)
        .await
        .assert_ok()
        .json();
    let created_at = shown["created_at"].clone();
    assert_eq!(
        shown,
        json!({
            "created_at": created_at, "id": job, "instance_id": instance, "reason": "",
            "resource_id": instance, "resource_name": "short-lived", "status": "Success",
            "type": "CreateInstance", "updated_at": created_at
        })
    );
    app.delete(&format!("/v2/{PROJECT}/instances/{instance}"))
        .token(&admin)
        .await
        .assert_accepted();
    let page = app
        .get(&format!("/v2/{PROJECT}/jobs"))
        .token(&admin)
        .await
        .assert_ok()
        .json();
    assert_eq!(page["total"], 2);
    let kinds: Vec<&Value> = page["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| &j["type"])
        .collect();
    assert_eq!(kinds, [&json!("CreateInstance"), &json!("DeleteInstance")]);
    assert_eq!(page["jobs"][1]["resource_id"], instance);
    assert_eq!(page["jobs"][1]["status"], "Success");
    // A refused create leaves no job.
    app.post(&format!("/v2/{PROJECT}/instances"))
        .token(&admin)
        .json(&json!({ "name": "no", "obs_bucket_name": "b" }))
        .await
        .assert_bad_request();
    assert_eq!(stored(&h).len(), 2);
}

#[actix_web::test]
async fn deleting_a_job_forgets_it_and_nothing_else() {
    let (h, app) = Harness::start().await;
    let admin = h.token("alice", PROJECT, &["admin"]);
    let member = h.token("mia", PROJECT, &["member"]);
    let readonly = h.token("rita", PROJECT, &["readonly"]);
    let made = app
        .post(&format!("/v2/{PROJECT}/instances"))
        .token(&admin)
        .json(&json!({ "name": "kept" }))
        .await
        .assert_created()
        .json();
    let (instance, job) = (
        made["instance_id"].as_str().unwrap(),
        made["job_id"].as_str().unwrap(),
    );
    let uri = format!("/v2/{PROJECT}/jobs/{job}");
    let before = stored(&h);
    // A reader may not; another project neither reaches nor sees it.
    let (status, body, _) = app.delete(&uri).token(&readonly).await.parts();
    assert_swr_error(status, &body, 403, "SVCSTG.SWR.4039002");
    let stranger = h.token("eve", OTHER_PROJECT, &["admin"]);
    let (status, body, _) = app.delete(&uri).token(&stranger).await.parts();
    assert_swr_error(status, &body, 403, "SVCSTG.SWR.4039001");
    for method in ["GET", "DELETE"] {
        let (status, body, _) = app
            .request(method, &format!("/v2/{OTHER_PROJECT}/jobs/{job}"))
            .token(&stranger)
            .await
            .parts();
        assert_swr_error(status, &body, 404, "SVCSTG.SWR.4048003");
    }
    assert_eq!(stored(&h), before);

    app.delete(&uri).token(&member).await.assert_no_content();
    assert_eq!(stored(&h), []);
    let (status, body, _) = app.get(&uri).token(&admin).await.parts();
    assert_swr_error(status, &body, 404, "SVCSTG.SWR.4048003");
    let (status, body, _) = app.delete(&uri).token(&admin).await.parts();
    assert_swr_error(status, &body, 404, "SVCSTG.SWR.4048003");
    // The instance it made is untouched.
    app.get(&format!("/v2/{PROJECT}/instances/{instance}"))
        .token(&admin)
        .await
        .assert_ok();
}

#[actix_web::test]
async fn concurrent_creates_of_one_name_leave_one_instance_and_one_job() {
    let h = Harness::shared().await;
    let app = h.app().await;
    let admin = h.token("alice", PROJECT, &["admin"]);
    let uri = format!("/v2/{PROJECT}/instances");
    let answers = join_all((0..8).map(|_| {
        let (app, uri, admin) = (&app, &uri, &admin);
        async move {
            app.post(uri)
                .token(admin)
                .json(&json!({ "name": "contested" }))
                .await
                .parts()
        }
    }))
    .await;
    let made: Vec<&Value> = answers
        .iter()
        .filter(|(s, _, _)| *s == StatusCode::CREATED)
        .map(|(_, b, _)| b)
        .collect();
    assert_eq!(made.len(), 1, "{answers:?}");
    assert!(answers
        .iter()
        .all(|(s, b, _)| *s == StatusCode::CREATED || b["error_code"] == "SVCSTG.SWR.4098001"));
    let instance = made[0]["instance_id"].as_str().unwrap();
    assert_eq!(
        stored(&h),
        [(
            "CreateInstance".to_string(),
            "Success".to_string(),
            instance.to_string()
        )]
    );
    // Concurrent deletes of its job: one forgets it, the rest find nothing.
    let job_uri = format!("/v2/{PROJECT}/jobs/{}", made[0]["job_id"].as_str().unwrap());
    let statuses = join_all((0..6).map(|_| {
        let (app, job_uri, admin) = (&app, &job_uri, &admin);
        async move { app.delete(job_uri).token(admin).await.parts().0 }
    }))
    .await;
    let mut codes: Vec<u16> = statuses.into_iter().map(|s| s.as_u16()).collect();
    codes.sort();
    assert_eq!(codes, [204, 404, 404, 404, 404, 404]);
    assert_eq!(stored(&h), []);
}
