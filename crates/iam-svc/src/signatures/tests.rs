//! The signature check against a real database (SQLite, or PostgreSQL with
//! `TEST_DATABASE_URL`): every refusal in its order, the principal, and how many SQL
//! statements one check costs.

use std::sync::{Arc, Mutex};

use credential_core::seal::{Keyring, SealingKey};
use credential_core::sign::huawei;
use credential_core::SecretString;
use diesel::connection::{Connection, InstrumentationEvent};
use diesel::prelude::*;
use service_kit::auth::wire::{Replay, SignatureAlgorithm, SignatureRelease};
use service_kit::auth::SignatureVerifier;
use service_kit::clock::Clock;
use service_kit::testing::TestDatabase;

use super::*;
use crate::bootstrap::{self, AdminPassword, Bootstrapped};
use crate::repo::access_keys::{AccessKey, AccessKeyChanges, INACTIVE};
use crate::repo::grants::Target;
use crate::schema::{domains, users};

const STS: &str = "SDK-HMAC-SHA256\n20240101T000000Z\nabc";
const SK: &str = "SecretKey0123456789abcdefghijklmnopqrstu";
const AK: &str = "AKTEST00000000000001";

struct Fixture {
    db: TestDatabase,
    verifier: LocalSignatureVerifier,
    boot: Bootstrapped,
}

impl Fixture {
    fn new() -> Fixture {
        let db = TestDatabase::new(&crate::MIGRATIONS);
        let mut cfg = crate::config::IamConfig::load(None).unwrap();
        cfg.passwords.pbkdf2_iterations = 1000;
        let mut conn = db.pool.get().unwrap();
        let boot = bootstrap::run(
            &mut conn,
            &cfg,
            AdminPassword::Ensure(SecretString::from("Adm1n-Passw0rd!")),
            Clock::system().stored_now(),
        )
        .unwrap();
        let master = Keyring::new(SealingKey::generate("test").unwrap(), Vec::new()).unwrap();
        let key = AccessKey {
            access: AK.into(),
            user_id: boot.user_id.clone(),
            domain_id: boot.domain_id.clone(),
            sealed_secret: master.seal(SK.as_bytes(), AK.as_bytes()).unwrap(),
            status: repo::access_keys::ACTIVE.into(),
            description: String::new(),
            created_at: Clock::system().stored_now(),
            last_used_at: None,
        };
        repo::access_keys::insert(&mut conn, &key).unwrap();
        drop(conn);
        let verifier =
            LocalSignatureVerifier::new(db.pool.clone(), PermanentKeys::new(Arc::new(master)));
        Fixture { db, verifier, boot }
    }

    /// A good check of the admin's key for the bootstrap project.
    fn good(&self) -> SignatureCheck {
        SignatureCheck {
            algorithm: SignatureAlgorithm::SdkHmacSha256,
            access: AK.into(),
            string_to_sign: STS.into(),
            signature: huawei::sign(SK.as_bytes(), STS),
            tc3_date: None,
            tc3_service: None,
            project_id: Some(self.boot.project_id.clone()),
            domain_id: None,
            own_domain: false,
            security_token: None,
            replay: Replay::Once,
        }
    }

    fn check(&self, edit: impl FnOnce(&mut SignatureCheck)) -> Result<Principal, AuthError> {
        self.counted(edit).0
    }

    /// The outcome and the SQL statements the check ran.
    fn counted(
        &self,
        edit: impl FnOnce(&mut SignatureCheck),
    ) -> (Result<Principal, AuthError>, Vec<String>) {
        let (outcome, statements, _) = self.traced(edit);
        (outcome, statements)
    }

    /// The outcome, the SQL statements the check ran and the statements it prepared for
    /// the connection's cache.
    fn traced(
        &self,
        edit: impl FnOnce(&mut SignatureCheck),
    ) -> (Result<Principal, AuthError>, Vec<String>, Vec<String>) {
        let mut check = self.good();
        edit(&mut check);
        let mut conn = self.db.pool.get().unwrap();
        let log = Arc::new(Mutex::new((Vec::new(), Vec::new())));
        let seen = log.clone();
        conn.set_instrumentation(move |event: InstrumentationEvent<'_>| match event {
            InstrumentationEvent::StartQuery { query, .. } => {
                seen.lock().unwrap().0.push(query.to_string());
            }
            InstrumentationEvent::CacheQuery { sql, .. } => {
                seen.lock().unwrap().1.push(sql.to_string());
            }
            _ => {}
        });
        let now = Clock::system().now();
        let outcome = self.verifier.keys().check_blocking(&mut conn, &check, now);
        conn.set_instrumentation(|_: InstrumentationEvent<'_>| {});
        let (statements, prepared) = log.lock().unwrap().clone();
        (outcome, statements, prepared)
    }

    fn conn(&self) -> service_kit::db::PooledConnection {
        self.db.pool.get().unwrap()
    }

    fn set_key_status(&self, status: &str) {
        let changes = AccessKeyChanges {
            status: Some(status.into()),
            description: None,
        };
        assert!(repo::access_keys::update(&mut self.conn(), AK, &changes).unwrap());
    }

    fn disable_user(&self) {
        diesel::update(users::table.find(&self.boot.user_id))
            .set(users::enabled.eq(false))
            .execute(&mut *self.conn())
            .unwrap();
    }

    fn disable_domain(&self) {
        diesel::update(domains::table.find(&self.boot.domain_id))
            .set(domains::enabled.eq(false))
            .execute(&mut *self.conn())
            .unwrap();
    }

    /// A group of the admin's with `role` on `target`.
    fn grant(&self, target: Target, role: &str) {
        let mut conn = self.conn();
        let group = repo::groups::Group {
            id: repo::new_id(),
            domain_id: self.boot.domain_id.clone(),
            name: repo::new_id(),
            description: String::new(),
            created_at: Clock::system().stored_now(),
        };
        repo::groups::insert(&mut conn, &group).unwrap();
        repo::groups::add_member(&mut conn, &group.id, &self.boot.user_id).unwrap();
        let role = repo::roles::find_by_name(&mut conn, role).unwrap().unwrap();
        repo::grants::grant(&mut conn, target, &group.id, &role.id).unwrap();
    }

    /// A project of `domain_id` nobody holds a role on.
    fn project_in(&self, domain_id: &str, enabled: bool) -> String {
        let p = repo::projects::Project {
            id: repo::new_id(),
            domain_id: domain_id.into(),
            parent_id: None,
            name: repo::new_id(),
            description: String::new(),
            enabled,
            created_at: Clock::system().stored_now(),
        };
        repo::projects::insert(&mut self.conn(), &p).unwrap();
        p.id
    }

    fn other_domain(&self) -> String {
        let d = repo::domains::Domain {
            id: repo::new_id(),
            name: repo::new_id(),
            description: String::new(),
            enabled: true,
            created_at: Clock::system().stored_now(),
        };
        repo::domains::insert(&mut self.conn(), &d).unwrap();
        d.id
    }
}

fn bad_signature(c: &mut SignatureCheck) {
    c.signature = "00".repeat(32);
}

#[test]
fn a_good_check_answers_with_the_principal() {
    let f = Fixture::new();
    let p = f.check(|_| {}).unwrap();
    assert_eq!(p.user_id, f.boot.user_id);
    assert_eq!(p.user_name, bootstrap::USER);
    assert_eq!(p.domain_id, f.boot.domain_id);
    assert_eq!(p.domain_name, bootstrap::DOMAIN);
    let project = p.project.unwrap();
    assert_eq!(project.id, f.boot.project_id);
    assert_eq!(project.name, bootstrap::PROJECT);
    assert_eq!(p.roles, ["admin"]);
    assert_eq!(p.access_key.as_deref(), Some(AK));
    assert!(p.token.is_none());
}

#[test]
fn project_roles_merge_project_and_domain_grants_sorted_once_each() {
    let f = Fixture::new();
    let project = f.boot.project_id.clone();
    f.grant(Target::Project(&project), "member");
    f.grant(Target::Project(&project), "admin");
    f.grant(Target::Domain(&f.boot.domain_id), "readonly");
    let p = f.check(|_| {}).unwrap();
    assert_eq!(p.roles, ["admin", "member", "readonly"]);
    // A project grant elsewhere adds nothing here.
    let elsewhere = f.project_in(&f.boot.domain_id, true);
    f.grant(Target::Project(&elsewhere), "member");
    let p = f.check(|c| c.project_id = Some(elsewhere)).unwrap();
    assert_eq!(p.roles, ["admin", "member", "readonly"]);
}

#[test]
fn domain_scopes_carry_the_domain_grants_only() {
    let f = Fixture::new();
    f.grant(Target::Project(&f.boot.project_id), "member");
    f.grant(Target::Domain(&f.boot.domain_id), "readonly");
    let domain = f.boot.domain_id.clone();
    for p in [
        f.check(|c| {
            c.project_id = None;
            c.own_domain = true;
        }),
        f.check(|c| {
            c.project_id = None;
            c.domain_id = Some(domain);
        }),
    ] {
        let p = p.unwrap();
        assert!(p.project.is_none());
        assert_eq!(p.roles, ["admin", "readonly"]);
        assert_eq!(p.domain_id, f.boot.domain_id);
    }
    // No scope asked: the principal without roles.
    let p = f.check(|c| c.project_id = None).unwrap();
    assert!(p.project.is_none() && p.roles.is_empty());
    // Another domain's id.
    let other = f.other_domain();
    let refused = f.check(|c| {
        c.project_id = None;
        c.domain_id = Some(other);
    });
    assert_eq!(refused.unwrap_err(), AuthError::ScopeRefused);
}

#[test]
fn unknown_keys_and_bad_macs_are_refused_first() {
    let f = Fixture::new();
    let unknown = f.check(|c| c.access = "AKUNKNOWN00000000000".into());
    assert_eq!(unknown.unwrap_err(), AuthError::UnknownAccessKey);
    // The MAC is checked before anything about the key, user or domain shows.
    f.set_key_status(INACTIVE);
    f.disable_user();
    f.disable_domain();
    let mismatch = f.check(|c| {
        bad_signature(c);
        c.security_token = Some("token".into());
        c.project_id = Some("nope".into());
    });
    assert_eq!(mismatch.unwrap_err(), AuthError::SignatureMismatch);
    let tc3 = f.check(|c| c.algorithm = SignatureAlgorithm::Tc3HmacSha256);
    assert!(matches!(tc3, Err(AuthError::MalformedSignature(_))));
}

#[test]
fn a_security_token_is_refused_before_the_status() {
    let f = Fixture::new();
    f.set_key_status(INACTIVE);
    let refused = f.check(|c| c.security_token = Some("token".into()));
    assert_eq!(refused.unwrap_err(), AuthError::SecurityTokenRefused);
}

#[test]
fn inactive_keys_disabled_users_and_domains_are_refused_before_the_scope() {
    for disable in [
        (|f: &Fixture| f.set_key_status(INACTIVE)) as fn(&Fixture),
        |f| f.disable_user(),
        |f| f.disable_domain(),
    ] {
        let f = Fixture::new();
        disable(&f);
        for scope in [Some(f.boot.project_id.clone()), Some("nope".into()), None] {
            let refused = f.check(|c| c.project_id = scope);
            assert_eq!(refused.unwrap_err(), AuthError::InactiveAccessKey);
        }
        let refused = f.check(|c| {
            c.project_id = None;
            c.own_domain = true;
        });
        assert_eq!(refused.unwrap_err(), AuthError::InactiveAccessKey);
    }
}

#[test]
fn projects_out_of_reach_are_refused() {
    let f = Fixture::new();
    let other = f.other_domain();
    let foreign = f.project_in(&other, true);
    let disabled = f.project_in(&f.boot.domain_id, false);
    let roleless = f.project_in(&f.boot.domain_id, true);
    for project in ["nope".to_string(), foreign, disabled] {
        let refused = f.check(|c| c.project_id = Some(project));
        assert_eq!(refused.unwrap_err(), AuthError::ScopeRefused);
    }
    // Domain grants reach every project of the domain; without them, no role, no scope.
    assert!(f.check(|c| c.project_id = Some(roleless.clone())).is_ok());
    let admins = repo::groups::find_by_name(&mut f.conn(), &f.boot.domain_id, bootstrap::GROUP)
        .unwrap()
        .unwrap();
    let admin = repo::roles::find_by_name(&mut f.conn(), "admin")
        .unwrap()
        .unwrap();
    let domain = Target::Domain(&f.boot.domain_id);
    assert!(repo::grants::revoke(&mut f.conn(), domain, &admins.id, &admin.id).unwrap());
    let refused = f.check(|c| c.project_id = Some(roleless));
    assert_eq!(refused.unwrap_err(), AuthError::ScopeRefused);
    // The project-scoped grant still holds on its own project.
    assert_eq!(f.check(|_| {}).unwrap().roles, ["admin"]);
    // The domain scope now carries no role, and is still granted.
    let p = f.check(|c| {
        c.project_id = None;
        c.own_domain = true;
    });
    assert!(p.unwrap().roles.is_empty());
}

/// The reads among `statements` (the once-a-minute `last_used_at` write aside).
fn reads(statements: &[String]) -> Vec<&String> {
    statements
        .iter()
        .filter(|sql| sql.trim_start_matches('(').starts_with("SELECT"))
        .collect()
}

/// One statement for the key, its user and domain; one more for the roles of a scope.
/// `last_used_at` is written at most once a minute, so the first check also writes.
#[test]
fn a_check_costs_one_statement_per_lookup() {
    let f = Fixture::new();
    let (first, statements, prepared) = f.traced(|_| {});
    assert!(first.is_ok());
    assert_eq!(reads(&statements).len(), 2, "{statements:#?}");
    assert_eq!(statements.len(), 3, "{statements:#?}");
    // Both reads stay prepared on the connection, so the next check parses nothing.
    assert_eq!(reads(&prepared).len(), 2, "{prepared:#?}");
    let project = f.traced(|_| {});
    assert!(project.0.is_ok());
    assert_eq!(reads(&project.1).len(), 2, "{:#?}", project.1);
    assert!(reads(&project.2).is_empty(), "{:#?}", project.2);
    let own = f.traced(|c| {
        c.project_id = None;
        c.own_domain = true;
    });
    assert!(own.0.is_ok());
    assert_eq!(reads(&own.1).len(), 2, "{:#?}", own.1);
    assert_eq!(reads(&own.2).len(), 1, "{:#?}", own.2);
    let unscoped = f.counted(|c| c.project_id = None);
    assert!(unscoped.0.is_ok());
    assert_eq!(reads(&unscoped.1).len(), 1, "{:#?}", unscoped.1);
    let mismatch = f.counted(bad_signature);
    assert_eq!(mismatch.0.unwrap_err(), AuthError::SignatureMismatch);
    assert_eq!(mismatch.1.len(), 1, "{:#?}", mismatch.1);
}

#[test]
fn last_use_writes_once_a_minute() {
    let l = LastUse::default();
    let t = chrono::NaiveDate::from_ymd_opt(2026, 1, 1)
        .unwrap()
        .and_hms_opt(10, 0, 5)
        .unwrap();
    assert!(l.is_due("AK", t));
    assert!(!l.is_due("AK", t + chrono::Duration::seconds(50)));
    assert!(l.is_due("AK", t + chrono::Duration::seconds(60)));
    assert!(l.is_due("OTHER", t));
}

/// Through the async check, which records the signature as the service's middleware and
/// the internal API use it.
/// Past the grace in which a client's own same-second requests share a signature.
async fn past_the_grace() {
    let grace = service_kit::auth::replay::SAME_SECOND_GRACE;
    let wait = grace.to_std().unwrap() + std::time::Duration::from_millis(200);
    actix_web::rt::time::sleep(wait).await;
}

/// Through the async check, which records the signature as the service's middleware and
/// the internal API use it.
#[actix_web::test]
async fn a_signature_is_accepted_once_until_given_back() {
    let f = Fixture::new();
    let check = f.good();
    f.verifier.check(check.clone()).await.unwrap();
    // The same second's same request: the client's own (the SDKs sign to the second).
    f.verifier.check(check.clone()).await.unwrap();
    past_the_grace().await;
    assert_eq!(
        f.verifier.check(check.clone()).await.unwrap_err(),
        AuthError::SignatureReplayed
    );
    // Upper-case hex is the same MAC, not a new signature.
    let mut shouted = check.clone();
    shouted.signature = shouted.signature.to_ascii_uppercase();
    assert_eq!(
        f.verifier.check(shouted).await.unwrap_err(),
        AuthError::SignatureReplayed
    );
    // One of the two requests failed and gave its use back; the other stands.
    let release = |check: &SignatureCheck| SignatureRelease {
        access: check.access.clone(),
        signature: check.signature.clone(),
        temporary: false,
    };
    f.verifier.release(release(&check)).await.unwrap();
    assert_eq!(
        f.verifier.check(check.clone()).await.unwrap_err(),
        AuthError::SignatureReplayed
    );
    // A request whose only use failed may come again, whenever (an SDK's retry).
    let retried_sts = format!("{STS}-retried");
    let retried = SignatureCheck {
        string_to_sign: retried_sts.clone(),
        signature: huawei::sign(SK.as_bytes(), &retried_sts),
        ..f.good()
    };
    f.verifier.check(retried.clone()).await.unwrap();
    past_the_grace().await;
    f.verifier.release(release(&retried)).await.unwrap();
    f.verifier.check(retried).await.unwrap();
    // A refused check records nothing: the right MAC of the same request then passes.
    let fresh_sts = format!("{STS}-fresh");
    let mut bad = f.good();
    bad.string_to_sign = fresh_sts.clone();
    bad.signature = huawei::sign(b"not-the-secret", &fresh_sts);
    assert_eq!(
        f.verifier.check(bad.clone()).await.unwrap_err(),
        AuthError::SignatureMismatch
    );
    bad.signature = huawei::sign(SK.as_bytes(), &fresh_sts);
    f.verifier.check(bad).await.unwrap();
}

#[actix_web::test]
async fn reads_repeat_and_never_open_a_write() {
    let f = Fixture::new();
    let as_rule = |replay: Replay| SignatureCheck { replay, ..f.good() };
    // A read whose action is unsigned comes again as any read; within the grace its
    // signature may be the same client's write (a create and a delete with one body).
    f.verifier.check(as_rule(Replay::Read)).await.unwrap();
    f.verifier.check(as_rule(Replay::Read)).await.unwrap();
    f.verifier.check(as_rule(Replay::Once)).await.unwrap();
    // A write's signature may still read (with its signer's rights).
    let write_sts = format!("{STS}-write");
    let signed = |replay: Replay| SignatureCheck {
        replay,
        string_to_sign: write_sts.clone(),
        signature: huawei::sign(SK.as_bytes(), &write_sts),
        ..f.good()
    };
    f.verifier.check(signed(Replay::Once)).await.unwrap();
    f.verifier.check(signed(Replay::Read)).await.unwrap();
    past_the_grace().await;
    // Later, a captured read is no create, and a write is not done twice; reads still read.
    for (check, what) in [
        (as_rule(Replay::Once), "read"),
        (signed(Replay::Once), "write"),
    ] {
        assert_eq!(
            f.verifier.check(check).await.unwrap_err(),
            AuthError::SignatureReplayed,
            "{what}'s signature replayed as a write"
        );
    }
    f.verifier.check(as_rule(Replay::Read)).await.unwrap();
    f.verifier.check(signed(Replay::Read)).await.unwrap();
    // A fully signed read is not recorded at all.
    let fresh_sts = format!("{STS}-read");
    let signed_read = |replay: Replay| SignatureCheck {
        replay,
        string_to_sign: fresh_sts.clone(),
        signature: huawei::sign(SK.as_bytes(), &fresh_sts),
        ..f.good()
    };
    f.verifier
        .check(signed_read(Replay::Repeatable))
        .await
        .unwrap();
    f.verifier
        .check(signed_read(Replay::Repeatable))
        .await
        .unwrap();
    f.verifier.check(signed_read(Replay::Once)).await.unwrap();
    past_the_grace().await;
    assert_eq!(
        f.verifier
            .check(signed_read(Replay::Once))
            .await
            .unwrap_err(),
        AuthError::SignatureReplayed
    );
}
