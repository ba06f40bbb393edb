//! The domain layer without HTTP: its functions called on a connection with a caller and
//! a time of the test's choosing, as the actions call them.

use chrono::{DateTime, Duration, NaiveDateTime};
use service_kit::auth::Principal;
use tcr_svc::error::TcrError;
use tcr_svc::namespaces::{self, NamespaceRef};
use tcr_svc::registries::{self, NewRegistry};
use tcr_svc::repo::namespaces::Settings;
use tcr_svc::tokens::{self, NewToken, TokenKind, TOKEN_PREFIX};

use crate::common::*;

fn principal(key: &Key) -> Principal {
    Principal {
        user_id: key.user.into(),
        user_name: key.user.into(),
        domain_id: key.account.into(),
        domain_name: key.account.into(),
        project: None,
        roles: key.roles.iter().map(|r| r.to_string()).collect(),
        access_key: Some(key.id.into()),
        temporary: None,
        token: None,
    }
}

fn at() -> NaiveDateTime {
    DateTime::from_timestamp(1_700_000_000, 0)
        .unwrap()
        .naive_utc()
}

#[actix_web::test]
async fn a_token_lives_its_kinds_lifetime_from_the_time_given_and_only_in_its_account() {
    let h = Harness::new().await;
    let cfg = &h.state.config;
    let mut conn = h.db.pool.get().unwrap();
    let (region, fronts) = ("ap-guangzhou".to_string(), &cfg.registry);
    let new = NewRegistry::new("domain-reg".into(), "basic".into(), region, fronts).unwrap();
    let reg = registries::create(&mut conn, &principal(&ALICE), new, at()).unwrap();
    assert_eq!(reg.created_at, at());
    let new_token = |kind: TokenKind| NewToken {
        registry_id: reg.id.clone(),
        kind,
        description: None,
        lifetime: kind.lifetime(&cfg.tokens),
    };
    let issued = tokens::create(
        &mut conn,
        &principal(&RITA),
        new_token(TokenKind::Longterm),
        at(),
    )
    .unwrap();
    assert!(issued.token.expose().starts_with(TOKEN_PREFIX));
    assert_eq!(issued.row.expires_at, at() + Duration::days(365));
    assert_eq!(
        issued.row.access, "pull",
        "a read-only caller's token only pulls"
    );
    let temp = tokens::create(
        &mut conn,
        &principal(&ALICE),
        new_token(TokenKind::Temp),
        at(),
    )
    .unwrap();
    assert_eq!(temp.row.expires_at, at() + Duration::hours(1));
    let elsewhere = tokens::create(
        &mut conn,
        &principal(&BOB),
        new_token(TokenKind::Temp),
        at(),
    );
    assert!(matches!(elsewhere, Err(TcrError::RegistryNotFound)));
    let (rows, total) = tokens::list(&mut conn, &principal(&RITA), &reg.id, 0, 10).unwrap();
    assert_eq!((rows.len(), total), (1, 1), "temp tokens are never listed");
}

#[actix_web::test]
async fn a_deleted_registry_leaves_tombstones_dated_by_the_time_given() {
    let h = Harness::new().await;
    let mut conn = h.db.pool.get().unwrap();
    let alice = principal(&ALICE);
    let (region, fronts) = ("ap-guangzhou".to_string(), &h.state.config.registry);
    let new = NewRegistry::new("tomb-reg".into(), "basic".into(), region, fronts).unwrap();
    let reg = registries::create(&mut conn, &alice, new, at()).unwrap();
    let team = || NamespaceRef {
        registry_id: reg.id.clone(),
        name: "team".into(),
    };
    let settings = Settings::default();
    namespaces::create(&mut conn, &alice, team(), &settings, at()).unwrap();
    let later = at() + Duration::minutes(5);
    let refused = registries::delete(&mut conn, &principal(&BOB), &reg.id, false, later);
    assert!(matches!(refused, Err(TcrError::RegistryNotFound)));
    registries::delete(&mut conn, &alice, &reg.id, false, later).unwrap();
    let again = namespaces::delete(&mut conn, &alice, team(), later);
    assert!(matches!(again, Err(TcrError::RegistryNotFound)));
    use diesel::prelude::*;
    use tcr_svc::schema::namespaces as ns;
    let deleted_at: Option<NaiveDateTime> = ns::table
        .filter(ns::registry_id.eq(&reg.id))
        .select(ns::deleted_at)
        .first(&mut *conn)
        .unwrap();
    assert_eq!(deleted_at, Some(later));
}
