//! CreateServiceAccount, DescribeServiceAccounts, ModifyServiceAccount,
//! ModifyServiceAccountPassword, DeleteServiceAccount: robot credentials of a registry.
//! The rules are [`crate::service_accounts`]'s, who may is [`crate::policy`]'s; these read
//! the parameters, call, and render.

use credential_core::SecretString;
use serde_json::{json, Map, Value};
use service_kit::db::{self, DbConnection, StoreError};

use super::{fields, Ctx};
use crate::error::TcrError;
use crate::params::Params;
use crate::policy::{self, Action};
use crate::repo::{
    self,
    registries::Registry,
    service_accounts::{AccountChanges, ServiceAccount},
};
use crate::service_accounts::expiry::{self, Expiry};
use crate::service_accounts::permissions::{self, Permission};
use crate::service_accounts::{name, password};
use crate::views::tencent_time;

/// Default and largest page of `DescribeServiceAccounts` (a larger `Limit` is lowered).
const PAGE: i64 = 20;
const MAX_PAGE: i64 = 100;

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

fn required_permissions(p: &mut Params) -> Result<Vec<Permission>, TcrError> {
    let raw = p
        .optional_raw("Permissions")
        .ok_or_else(|| TcrError::MissingParameter("Permissions".into()))?;
    permissions::parse(raw)
}

fn stored_expiry(e: Expiry) -> Option<chrono::NaiveDateTime> {
    match e {
        Expiry::At(t) => Some(t),
        Expiry::Unset | Expiry::Never => None,
    }
}

/// The account a `CreateServiceAccount` asks for, with a new random password; its
/// registry's service is filled in where the registry is read.
fn new_account(
    ctx: &Ctx<'_>,
    p: &mut Params,
) -> Result<(SecretString, ServiceAccount, Vec<Permission>), TcrError> {
    let registry_id = p.required_str("RegistryId")?;
    let name = name::login_name(&p.required_str("Name")?)?;
    let list = required_permissions(p)?;
    let description = p.optional_text("Description")?.unwrap_or_default();
    let now = repo::now();
    let expires = expiry::parse(
        p.optional_i64("Duration")?,
        p.optional_i64("ExpiresAt")?,
        now,
    )?;
    let disabled = p.optional_bool("Disable")?.unwrap_or(false);
    let (secret, digest) = password::random()?;
    let row = ServiceAccount {
        id: uuid::Uuid::new_v4().simple().to_string(),
        registry_id,
        registry_service: String::new(),
        name,
        description,
        password_digest: digest,
        permissions: permissions::to_stored(&list),
        disabled,
        expires_at: stored_expiry(expires),
        created_by: ctx.principal.user_id.clone(),
        created_at: now,
        updated_at: now,
        revoked_at: None,
    };
    Ok((secret, row, list))
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

/// Which accounts a `DescribeServiceAccounts` lists.
struct Listing {
    names: Option<Vec<String>>,
    offset: i64,
    /// `None`: all of them (`All: true`).
    limit: Option<i64>,
    embed: bool,
}

impl Listing {
    fn parse(p: &mut Params) -> Result<Listing, TcrError> {
        let all = p.optional_bool("All")?.unwrap_or(false);
        let embed = p.optional_bool("EmbedPermission")?.unwrap_or(false);
        let names = p
            .optional_raw("Filters")
            .map(name_filter)
            .transpose()?
            .flatten();
        let offset = p.optional_i64("Offset")?.unwrap_or(0);
        if offset < 0 {
            return Err(TcrError::InvalidParameterValue(
                "Offset must be at least 0.".into(),
            ));
        }
        let limit = match (all, p.optional_i64("Limit")?) {
            (true, Some(_)) => {
                return Err(TcrError::InvalidParameter(
                    "All lists every service account: leave Limit out.".into(),
                ))
            }
            (true, None) => None,
            (false, None) => Some(PAGE),
            (false, Some(n)) if n >= 1 => Some(n.min(MAX_PAGE)),
            (false, Some(_)) => {
                return Err(TcrError::InvalidParameterValue(
                    "Limit must be at least 1.".into(),
                ))
            }
        };
        Ok(Listing {
            names,
            offset,
            limit,
            embed,
        })
    }
}

/// `Filters: [{"Name": "ServiceAccountName", "Values": [...]}]`: names with or without
/// the prefix, any of the values; several filters are ANDed, and no filter keeps all.
fn name_filter(raw: Value) -> Result<Option<Vec<String>>, TcrError> {
    let bad = || {
        TcrError::InvalidParameter(
            "Filters must be a list of {\"Name\": \"ServiceAccountName\", \"Values\": [string]}."
                .into(),
        )
    };
    let Value::Array(items) = raw else {
        return Err(bad());
    };
    let mut names: Option<Vec<String>> = None;
    for item in items {
        let (Some(Value::String(key)), Some(Value::Array(values))) =
            (item.get("Name"), item.get("Values"))
        else {
            return Err(bad());
        };
        if key != "ServiceAccountName" {
            return Err(TcrError::InvalidParameterValue(format!(
                "Unsupported filter {key}; use ServiceAccountName."
            )));
        }
        let values = values
            .iter()
            .map(|v| v.as_str().map(name::as_login_name).ok_or_else(bad))
            .collect::<Result<Vec<_>, _>>()?;
        names = Some(match names {
            Some(before) => before.into_iter().filter(|n| values.contains(n)).collect(),
            None => values,
        });
    }
    Ok(names)
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

/// What a `ModifyServiceAccount` changes; the permissions, to check against the registry.
fn changes(p: &mut Params) -> Result<(AccountChanges, Option<Vec<Permission>>), TcrError> {
    let now = repo::now();
    let description = p.optional_text("Description")?;
    let expires = expiry::parse(
        p.optional_i64("Duration")?,
        p.optional_i64("ExpiresAt")?,
        now,
    )?;
    let disabled = p.optional_bool("Disable")?;
    let list = p
        .optional_raw("Permissions")
        .map(permissions::parse)
        .transpose()?;
    let changes = AccountChanges {
        description,
        permissions: list.as_deref().map(permissions::to_stored),
        disabled,
        expires_at: match expires {
            Expiry::Unset => None,
            other => Some(stored_expiry(other)),
        },
        updated_at: Some(now),
        password_digest: None,
    };
    Ok((changes, list))
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

/// The password a `ModifyServiceAccountPassword` sets, and its digest: random with
/// `Random: true`, else the `Password` given (hashed slowly, off the request threads).
async fn new_password(
    random: bool,
    chosen: Option<SecretString>,
    iterations: u32,
) -> Result<(SecretString, String), TcrError> {
    match (random, chosen) {
        (true, None) => password::random(),
        (true, Some(_)) => Err(TcrError::InvalidParameter(
            "Password is taken only with Random false.".into(),
        )),
        (false, None) => Err(TcrError::MissingParameter("Password".into())),
        (false, Some(chosen)) => {
            password::check_chosen(&chosen)?;
            let to_hash = chosen.clone();
            let digest = actix_web::web::block(move || password::hash_chosen(&to_hash, iterations))
                .await
                .map_err(|e| TcrError::Internal(e.to_string()))??;
            Ok((chosen, digest))
        }
    }
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
