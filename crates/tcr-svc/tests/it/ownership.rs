//! Long-term tokens belong to their owner: only the owner or an account admin disables,
//! describes anew or deletes one, and only an admin undoes an admin's disable. Who
//! disabled a token is stored with it.

use diesel::prelude::*;
use serde_json::Value;
use service_kit::testing::migrations;
use tcr_svc::schema::instance_tokens;

use crate::common::*;

async fn longterm(app: &TestApp, key: &Key, registry: &str) -> Value {
    let body = format!(r#"{{"RegistryId": "{registry}", "TokenType": "longterm"}}"#);
    let r = act(app, key, "CreateInstanceToken", &body).await;
    assert_eq!(code(&r), "", "{r}");
    r
}

/// `(enabled, disabled_by, disabled_by_admin)` of the stored token, or None once deleted.
fn stored(h: &Harness, id: &str) -> Option<(bool, Option<String>, bool)> {
    let mut conn = h.db.pool.get().unwrap();
    instance_tokens::table
        .find(id)
        .select((
            instance_tokens::enabled,
            instance_tokens::disabled_by,
            instance_tokens::disabled_by_admin,
        ))
        .first(&mut conn)
        .optional()
        .unwrap()
}

fn enable(registry: &str, id: &str, on: bool) -> String {
    format!(r#"{{"RegistryId": "{registry}", "TokenId": "{id}", "ModifyFlag": 2, "Enable": {on}}}"#)
}

#[actix_web::test]
async fn members_change_only_their_own_tokens() {
    let (h, app) = Harness::start().await;
    let reg = create_registry(&app, &ALICE, "owned-reg").await;
    let ritas = longterm(&app, &RITA, &reg).await;
    let rita_id = ritas["TokenId"].as_str().unwrap();
    let someone_elses = [
        ("ModifyInstanceToken", enable(&reg, rita_id, false)),
        (
            "ModifyInstanceToken",
            format!(
                r#"{{"RegistryId": "{reg}", "TokenId": "{rita_id}", "ModifyFlag": 1, "Desc": "mine now"}}"#
            ),
        ),
        (
            "DeleteInstanceToken",
            format!(r#"{{"RegistryId": "{reg}", "TokenId": "{rita_id}"}}"#),
        ),
    ];
    for (action, body) in &someone_elses {
        let r = act(&app, &MEMO, action, body).await;
        assert_eq!(code(&r), "UnauthorizedOperation", "{action} {body}: {r}");
    }
    assert_eq!(stored(&h, rita_id), Some((true, None, false)));
    let mut conn = h.db.pool.get().unwrap();
    let desc: String = instance_tokens::table
        .find(rita_id)
        .select(instance_tokens::description)
        .first(&mut conn)
        .unwrap();
    assert_eq!(desc, "");
    drop(conn);

    // The owner, read-only or not, manages their own; an admin manages anyone's.
    let r = act(
        &app,
        &RITA,
        "ModifyInstanceToken",
        &enable(&reg, rita_id, false),
    )
    .await;
    assert_eq!(code(&r), "", "{r}");
    assert_eq!(
        stored(&h, rita_id),
        Some((false, Some("rita-id".into()), false))
    );
    let r = act(
        &app,
        &RITA,
        "ModifyInstanceToken",
        &enable(&reg, rita_id, true),
    )
    .await;
    assert_eq!(code(&r), "", "{r}");
    assert_eq!(stored(&h, rita_id), Some((true, None, false)));
    let delete = format!(r#"{{"RegistryId": "{reg}", "TokenId": "{rita_id}"}}"#);
    let r = act(&app, &RITA, "DeleteInstanceToken", &delete).await;
    assert_eq!(code(&r), "", "{r}");
    assert_eq!(stored(&h, rita_id), None);
    let memos = longterm(&app, &MEMO, &reg).await;
    let memo_id = memos["TokenId"].as_str().unwrap();
    let delete = format!(r#"{{"RegistryId": "{reg}", "TokenId": "{memo_id}"}}"#);
    let r = act(&app, &ALICE, "DeleteInstanceToken", &delete).await;
    assert_eq!(code(&r), "", "{r}");
    assert_eq!(stored(&h, memo_id), None);
}

#[actix_web::test]
async fn only_an_admin_undoes_an_admins_disable() {
    let (h, app) = Harness::start().await;
    let reg = create_registry(&app, &ALICE, "undo-reg").await;
    for owner in [MEMO, RITA] {
        let token = longterm(&app, &owner, &reg).await;
        let id = token["TokenId"].as_str().unwrap();
        let r = act(
            &app,
            &ALICE,
            "ModifyInstanceToken",
            &enable(&reg, id, false),
        )
        .await;
        assert_eq!(code(&r), "", "{r}");
        assert_eq!(stored(&h, id), Some((false, Some("alice-id".into()), true)));
        // The owner disabling it again changes nothing about who disabled it.
        let r = act(
            &app,
            &owner,
            "ModifyInstanceToken",
            &enable(&reg, id, false),
        )
        .await;
        assert_eq!(code(&r), "", "{r}");
        assert_eq!(stored(&h, id), Some((false, Some("alice-id".into()), true)));
        let r = act(&app, &owner, "ModifyInstanceToken", &enable(&reg, id, true)).await;
        assert_eq!(code(&r), "UnauthorizedOperation", "{}: {r}", owner.id);
        assert_eq!(stored(&h, id), Some((false, Some("alice-id".into()), true)));
        let r = act(&app, &ALICE, "ModifyInstanceToken", &enable(&reg, id, true)).await;
        assert_eq!(code(&r), "", "{r}");
        assert_eq!(stored(&h, id), Some((true, None, false)));
    }
}

/// Who disabled the tokens disabled before the upgrade is unknown: they count as an
/// admin's, so their owners cannot undo them.
#[actix_web::test]
async fn tokens_disabled_before_the_upgrade_count_as_an_admins() {
    let (h, app) = Harness::start().await;
    let reg = create_registry(&app, &ALICE, "upgrade-reg").await;
    let token = longterm(&app, &MEMO, &reg).await;
    let id = token["TokenId"].as_str().unwrap();
    let live = longterm(&app, &MEMO, &reg).await;
    let live_id = live["TokenId"].as_str().unwrap();
    {
        let mut conn = h.db.pool.get().unwrap();
        migrations::revert_through(&mut conn, &tcr_svc::MIGRATIONS, "20261202300003");
        diesel::update(instance_tokens::table.find(id))
            .set(instance_tokens::enabled.eq(false))
            .execute(&mut *conn)
            .unwrap();
        service_kit::db::run_pending(&mut conn, &tcr_svc::MIGRATIONS).unwrap();
    }
    assert_eq!(stored(&h, id), Some((false, None, true)));
    assert_eq!(stored(&h, live_id), Some((true, None, false)));
    let r = act(&app, &MEMO, "ModifyInstanceToken", &enable(&reg, id, true)).await;
    assert_eq!(code(&r), "UnauthorizedOperation", "{r}");
}
