//! The domain layer without HTTP: its functions called on a connection with a caller and
//! a time of the test's choosing, as the handlers call them; a write runs in a transaction of
//! its own, as `db::write` runs it.

use chrono::{DateTime, Duration, NaiveDateTime};
use iam_svc::accounts::{self, HashedEdit, NewUser, UserEdit};
use iam_svc::error::IamError;
use iam_svc::passwords::NO_PASSWORD;
use service_kit::auth::{Principal, ProjectRef};
use service_kit::db::write_transaction;

use crate::common::*;

/// The bootstrap admin, scoped to the bootstrap project.
fn admin(h: &Harness) -> Principal {
    Principal {
        user_id: h.boot.user_id.clone(),
        user_name: "admin".into(),
        domain_id: h.boot.domain_id.clone(),
        domain_name: "admin".into(),
        project: Some(ProjectRef {
            id: h.boot.project_id.clone(),
            name: "admin".into(),
        }),
        roles: vec!["admin".into()],
        access_key: None,
        temporary: None,
        token: None,
    }
}

fn at() -> NaiveDateTime {
    DateTime::from_timestamp(1_700_000_000, 0)
        .unwrap()
        .naive_utc()
}

fn new_user(name: &str) -> NewUser {
    NewUser {
        name: name.into(),
        domain_id: None,
        password: None,
        enabled: None,
        description: None,
    }
}

#[actix_web::test]
async fn a_user_is_made_changed_and_deleted_at_the_times_given() {
    let h = Harness::new().await;
    let p = admin(&h);
    let mut conn = h.db.pool.get().unwrap();
    let made = accounts::create(&mut conn, &p, new_user("dora"), None, at()).unwrap();
    assert_eq!((made.created_at, made.updated_at), (at(), at()));
    assert_eq!(made.domain_id, h.boot.domain_id);
    assert_eq!(
        made.password_hash, NO_PASSWORD,
        "no password: nothing verifies"
    );

    let later = at() + Duration::minutes(5);
    let edit = HashedEdit {
        edit: UserEdit {
            name: None,
            domain_id: None,
            password: None,
            enabled: None,
            description: Some("renamed nothing".into()),
            pwd_status: None,
        },
        password_hash: None,
        token_lifetime: h.state.config.token_lifetime(),
    };
    let changed = write_transaction(&mut conn, |c| {
        accounts::update(c, &p, &made.id, edit, later)
    })
    .unwrap();
    assert_eq!(changed.updated_at, later);
    assert_eq!(changed.created_at, at());

    // A revocation is appended in the write's transaction, as `db::write` runs it.
    write_transaction(&mut conn, |c| accounts::delete(c, &p, &made.id, later)).unwrap();
    assert!(matches!(
        accounts::show(&mut conn, &p, &made.id),
        Err(IamError::NotFound(_))
    ));
}

#[actix_web::test]
async fn a_taken_name_and_another_domains_list_are_refused_without_http() {
    let h = Harness::new().await;
    let p = admin(&h);
    let mut conn = h.db.pool.get().unwrap();
    accounts::create(&mut conn, &p, new_user("eve"), None, at()).unwrap();
    let again = accounts::create(&mut conn, &p, new_user("eve"), None, at());
    assert!(matches!(again, Err(IamError::Conflict(_))), "{again:?}");
    let filter = Default::default();
    let elsewhere = accounts::list(&mut conn, &p, Some("other".into()), &filter).unwrap();
    assert!(
        elsewhere.is_empty(),
        "another domain's users are not listed"
    );
    let own = accounts::list(&mut conn, &p, None, &filter).unwrap();
    assert!(own.iter().any(|u| u.name == "eve"));
}
