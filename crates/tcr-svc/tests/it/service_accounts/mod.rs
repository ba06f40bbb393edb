//! Service accounts through the HTTP app: the five actions, bad input of every kind, and
//! registry logins as `tcr$<name>`, database out.

mod api;
mod bad_input;
mod login;

use diesel::prelude::*;
use serde_json::Value;
use tcr_svc::config::TcrConfig;
use tcr_svc::schema::service_accounts;

use crate::common::*;

/// The registry service every test registry gets.
pub const SERVICE: &str = "tcr-registry";

/// Limits high enough for a test's bursts.
pub fn config() -> TcrConfig {
    let mut config = test_config();
    config.rate_limits.other_per_second = 10_000;
    config
}

/// Add a private namespace to a registry, as `key` (a writer of its account).
pub async fn add_namespace(app: &TestApp, key: &Key, registry: &str, name: &str) {
    let body =
        format!(r#"{{"RegistryId": "{registry}", "NamespaceName": "{name}", "IsPublic": false}}"#);
    let r = act(app, key, "CreateNamespace", &body).await;
    assert_eq!(code(&r), "", "{r}");
}

/// Every stored row of the table, as text: the digests, never a password, are in it.
pub fn stored_accounts(h: &Harness) -> Vec<(String, String, String, String, bool)> {
    let mut conn = h.db.pool.get().unwrap();
    service_accounts::table
        .select((
            service_accounts::name,
            service_accounts::description,
            service_accounts::password_digest,
            service_accounts::permissions,
            service_accounts::disabled,
        ))
        .order(service_accounts::id)
        .load(&mut conn)
        .unwrap()
}

/// The stored password digest of the account `name`.
pub fn digest_of(h: &Harness, name: &str) -> String {
    let mut conn = h.db.pool.get().unwrap();
    service_accounts::table
        .filter(service_accounts::name.eq(name))
        .select(service_accounts::password_digest)
        .first(&mut conn)
        .unwrap()
}

/// Create `name` on `registry` as ALICE with `permissions` (JSON) and `extra` fields
/// (`, "Field": value` or ""), asserting success.
pub async fn create_account(
    app: &TestApp,
    registry: &str,
    name: &str,
    permissions: &str,
    extra: &str,
) -> Value {
    create_account_as(app, &ALICE, registry, name, permissions, extra).await
}

/// [`create_account`] as `key`, an admin of the registry's account.
pub async fn create_account_as(
    app: &TestApp,
    key: &Key,
    registry: &str,
    name: &str,
    permissions: &str,
    extra: &str,
) -> Value {
    let body = format!(
        r#"{{"RegistryId": "{registry}", "Name": "{name}", "Permissions": {permissions}{extra}}}"#
    );
    let r = act(app, key, "CreateServiceAccount", &body).await;
    assert_eq!(code(&r), "", "{r}");
    r
}
