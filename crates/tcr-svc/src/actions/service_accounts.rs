//! CreateServiceAccount, DescribeServiceAccounts, ModifyServiceAccount,
//! ModifyServiceAccountPassword, DeleteServiceAccount: robot credentials of a registry.
//! The rules are [`crate::service_accounts`]'s, who may is [`crate::policy`]'s, what a
//! request says is [`super::service_account_input`]'s; these check, call, and render.

use credential_core::SecretString;
use serde_json::{json, Map, Value};
use service_kit::db::{self, DbConnection, StoreError};

use super::service_account_input::{changes, new_account, new_password, Listing};
use super::{fields, Ctx};
use crate::error::TcrError;
use crate::params::Params;
use crate::policy::{self, Action};
use crate::repo::{
    self,
    registries::Registry,
    service_accounts::{AccountChanges, ServiceAccount},
};
use crate::service_accounts::expiry;
use crate::service_accounts::name;
use crate::service_accounts::permissions::{self, Permission};
use crate::views::tencent_time;

fn registry(conn: &mut DbConnection, account: &str, id: &str) -> Result<Registry, TcrError> {
    repo::registries::find_in_account(conn, account, id)?.ok_or(TcrError::RegistryNotFound)
}

/// Every namespace the permissions name is a live namespace of the registry.
fn check_namespaces(
    conn: &mut DbConnection,
    registry_id: &str,
    list: &[Permission],
) -> Result<(), TcrError> {
    let asked = permissions::namespaces(list);
    let found = repo::service_accounts::live_namespaces(conn, registry_id, &asked)?;
    match asked.into_iter().find(|n| !found.contains(n)) {
        Some(missing) => Err(TcrError::PermissionNamespaceNotFound(missing)),
        None => Ok(()),
    }
}

pub async fn create(ctx: &Ctx<'_>, mut p: Params) -> Result<Map<String, Value>, TcrError> {
    policy::allow(Action::CreateServiceAccount, ctx.principal)?;
    let (secret, row, list) = new_account(ctx, &mut p)?;
    p.finish()?;
    let account = ctx.account().to_string();
    let row = db::write(&ctx.state.pool, move |conn| {
        let registry = registry(conn, &account, &row.registry_id)?;
        check_namespaces(conn, &registry.id, &list)?;
        let row = ServiceAccount {
            registry_service: registry.registry_service,
            ..row
        };
        repo::service_accounts::insert(conn, &row).map_err(|e| match e {
            StoreError::UniqueViolation => TcrError::NameConflict(format!(
                "A service account named {} already exists on this registry's service.",
                row.name
            )),
            other => other.into(),
        })?;
        Ok::<_, TcrError>(row)
    })
    .await?;
    Ok(fields(json!({
        "Name": row.name,
        "Password": secret.expose(),
        "ExpiresAt": expiry::millis(row.expires_at),
        "CreateTime": tencent_time(row.created_at),
    })))
}

fn view(a: &ServiceAccount, embed: bool) -> Result<Value, TcrError> {
    let permissions = if embed {
        serde_json::from_str::<Value>(&a.permissions).map_err(|_| {
            TcrError::Internal(format!("service account {}: unreadable permissions", a.id))
        })?
    } else {
        Value::Null
    };
    Ok(json!({
        "Name": a.name,
        "Description": a.description,
        // A revoked account is disabled for good.
        "Disable": a.disabled || a.revoked_at.is_some(),
        "ExpiresAt": expiry::millis(a.expires_at),
        "CreateTime": tencent_time(a.created_at),
        "UpdateTime": tencent_time(a.updated_at),
        "Permissions": permissions,
    }))
}

pub async fn describe(ctx: &Ctx<'_>, mut p: Params) -> Result<Map<String, Value>, TcrError> {
    policy::allow(Action::DescribeServiceAccounts, ctx.principal)?;
    let registry_id = p.required_str("RegistryId")?;
    let listing = Listing::parse(&mut p)?;
    p.finish()?;
    let account = ctx.account().to_string();
    let names = listing.names.clone();
    let (rows, total) = db::run(&ctx.state.pool, move |conn| {
        registry(conn, &account, &registry_id)?;
        Ok::<_, TcrError>(repo::service_accounts::page(
            conn,
            &registry_id,
            names.as_deref(),
            listing.offset,
            listing.limit,
        )?)
    })
    .await?;
    let accounts = rows
        .iter()
        .map(|a| view(a, listing.embed))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(fields(
        json!({ "ServiceAccounts": accounts, "TotalCount": total }),
    ))
}

pub async fn modify(ctx: &Ctx<'_>, mut p: Params) -> Result<Map<String, Value>, TcrError> {
    policy::allow(Action::ModifyServiceAccount, ctx.principal)?;
    let registry_id = p.required_str("RegistryId")?;
    let name = name::login_name(&p.required_str("Name")?)?;
    let (changes, list) = changes(&mut p)?;
    p.finish()?;
    let account = ctx.account().to_string();
    db::write(&ctx.state.pool, move |conn| {
        registry(conn, &account, &registry_id)?;
        let found = repo::service_accounts::find_locked(conn, &registry_id, &name)?
            .ok_or(TcrError::ServiceAccountNotFound)?;
        if let Some(list) = &list {
            check_namespaces(conn, &registry_id, list)?;
        }
        repo::service_accounts::update(conn, &found.id, &changes)?;
        Ok::<_, TcrError>(())
    })
    .await?;
    Ok(Map::new())
}

pub async fn modify_password(ctx: &Ctx<'_>, mut p: Params) -> Result<Map<String, Value>, TcrError> {
    policy::allow(Action::ModifyServiceAccountPassword, ctx.principal)?;
    let registry_id = p.required_str("RegistryId")?;
    let name = name::login_name(&p.required_str("Name")?)?;
    let random = p.optional_bool("Random")?.unwrap_or(false);
    let chosen = p.optional_str("Password")?.map(SecretString::from);
    p.finish()?;
    let iterations = ctx.state.config.service_accounts.pbkdf2_iterations;
    let (secret, digest) = new_password(random, chosen, iterations).await?;
    let account = ctx.account().to_string();
    db::write(&ctx.state.pool, move |conn| {
        registry(conn, &account, &registry_id)?;
        let found = repo::service_accounts::find_locked(conn, &registry_id, &name)?
            .ok_or(TcrError::ServiceAccountNotFound)?;
        let changes = AccountChanges {
            password_digest: Some(digest),
            updated_at: Some(repo::now()),
            ..Default::default()
        };
        repo::service_accounts::update(conn, &found.id, &changes)?;
        Ok::<_, TcrError>(())
    })
    .await?;
    Ok(fields(json!({ "Password": secret.expose() })))
}

pub async fn delete(ctx: &Ctx<'_>, mut p: Params) -> Result<Map<String, Value>, TcrError> {
    policy::allow(Action::DeleteServiceAccount, ctx.principal)?;
    let registry_id = p.required_str("RegistryId")?;
    let name = name::login_name(&p.required_str("Name")?)?;
    p.finish()?;
    let account = ctx.account().to_string();
    db::write(&ctx.state.pool, move |conn| {
        registry(conn, &account, &registry_id)?;
        if !repo::service_accounts::delete(conn, &registry_id, &name)? {
            return Err(TcrError::ServiceAccountNotFound);
        }
        Ok(())
    })
    .await?;
    Ok(Map::new())
}
