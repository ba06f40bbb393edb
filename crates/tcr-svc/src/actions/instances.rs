//! CreateInstance, DescribeInstances, DeleteInstance: registries of the account.

use serde_json::{json, Map, Value};
use service_kit::db::{self, StoreError};

use super::{fields, Ctx};
use crate::error::TcrError;
use crate::params::{paging, Params};
use crate::policy::{self, Action};
use crate::repo::{
    self,
    registries::{Filter, Registry},
};
use crate::views::tencent_time;

pub const REGISTRY_TYPES: [&str; 3] = ["basic", "standard", "premium"];

/// 5 to 50 characters of `[a-z0-9-]`, starting with a letter, not ending with `-`,
/// without `--`.
fn valid_name(name: &str) -> bool {
    (5..=50).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && !name.ends_with('-')
        && !name.contains("--")
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// `tcr-` and eight lowercase letters or digits, like Tencent's ids.
fn new_registry_id() -> Result<String, TcrError> {
    let suffix =
        credential_core::random::random_alphanumeric(8, b"abcdefghijklmnopqrstuvwxyz0123456789")
            .map_err(|e| TcrError::Internal(e.to_string()))?;
    Ok(format!("tcr-{suffix}"))
}

fn view(r: &Registry) -> Value {
    json!({
        "RegistryId": r.id,
        "RegistryName": r.name,
        "RegistryType": r.registry_type,
        "Status": r.status,
        "PublicDomain": r.registry_address,
        "InternalEndpoint": r.registry_address,
        "CreatedAt": tencent_time(r.created_at),
        "RegionName": r.region,
        "RegionId": 1,
        "EnableAnonymous": false,
        "TokenValidTime": 1,
        "TagSpecification": null,
        "ExpiredAt": "",
        "PayMod": 0,
        "RenewFlag": 0,
        "DeletionProtection": false,
        "AIFeature": false,
        "EnableCosMAZ": false,
        "EnableCosVersioning": false,
    })
}

/// The registry a `CreateInstance` asks for, checked.
fn new_registry(ctx: &Ctx<'_>, mut p: Params) -> Result<Registry, TcrError> {
    let name = p.required_str("RegistryName")?;
    let registry_type = p.required_str("RegistryType")?;
    for vendor_only in [
        "TagSpecification",
        "RegistryChargeType",
        "RegistryChargePrepaid",
        "SyncTag",
        "EnableCosMAZ",
        "DeletionProtection",
        "EnableCosVersioning",
    ] {
        p.ignore(vendor_only);
    }
    p.finish()?;
    if !valid_name(&name) {
        return Err(TcrError::InvalidRegistryName);
    }
    if !REGISTRY_TYPES.contains(&registry_type.as_str()) {
        return Err(TcrError::InvalidParameter(
            "RegistryType must be basic, standard or premium.".into(),
        ));
    }
    let cfg = &ctx.state.config.registry;
    Ok(Registry {
        id: new_registry_id()?,
        domain_id: ctx.account().to_string(),
        name,
        registry_type,
        region: ctx.region.clone(),
        status: "Running".into(),
        registry_service: cfg.service.clone(),
        registry_address: cfg.address.clone(),
        created_at: repo::now(),
    })
}

pub async fn create(ctx: &Ctx<'_>, p: Params) -> Result<Map<String, Value>, TcrError> {
    policy::allow(Action::CreateInstance, ctx.principal)?;
    let row = new_registry(ctx, p)?;
    let row = db::write(&ctx.state.pool, move |conn| {
        repo::registries::insert(conn, &row).map_err(|e| match e {
            StoreError::UniqueViolation => TcrError::NameConflict(format!(
                "A registry named {} already exists in the account.",
                row.name
            )),
            other => other.into(),
        })?;
        Ok::<_, TcrError>(row)
    })
    .await?;
    Ok(fields(json!({ "RegistryId": row.id })))
}

pub async fn describe(ctx: &Ctx<'_>, mut p: Params) -> Result<Map<String, Value>, TcrError> {
    policy::allow(Action::DescribeInstances, ctx.principal)?;
    let mut filter = Filter {
        ids: p.optional_str_list("Registryids")?,
        names: None,
    };
    if let Some(raw) = p.optional_raw("Filters") {
        apply_filters(&mut filter, raw)?;
    }
    let (offset, limit) = paging(&mut p, 20, 100)?;
    p.ignore("AllRegion");
    p.finish()?;
    let account = ctx.account().to_string();
    let (rows, total) = db::run(&ctx.state.pool, move |conn| {
        Ok::<_, TcrError>(repo::registries::page(
            conn, &account, &filter, offset, limit,
        )?)
    })
    .await?;
    Ok(fields(
        json!({ "TotalCount": total, "Registries": rows.iter().map(view).collect::<Vec<_>>() }),
    ))
}

/// `Filters: [{"Name": "RegistryName" | "RegistryId", "Values": [...]}]`, ANDed.
fn apply_filters(filter: &mut Filter, raw: Value) -> Result<(), TcrError> {
    let bad = || {
        TcrError::InvalidParameter(
            "Filters must be a list of {\"Name\": string, \"Values\": [string]}.".into(),
        )
    };
    let Value::Array(items) = raw else {
        return Err(bad());
    };
    for item in items {
        let (Some(Value::String(name)), Some(Value::Array(values))) =
            (item.get("Name"), item.get("Values"))
        else {
            return Err(bad());
        };
        let values = values
            .iter()
            .map(|v| v.as_str().map(str::to_string).ok_or_else(bad))
            .collect::<Result<Vec<_>, _>>()?;
        let slot = match name.as_str() {
            "RegistryName" => &mut filter.names,
            "RegistryId" => &mut filter.ids,
            other => {
                return Err(TcrError::InvalidParameterValue(format!(
                    "Unsupported filter {other}; use RegistryName or RegistryId."
                )))
            }
        };
        // ANDed with an earlier list on the same field: keep what both allow.
        *slot = Some(match slot.take() {
            Some(before) => before.into_iter().filter(|v| values.contains(v)).collect(),
            None => values,
        });
    }
    Ok(())
}

pub async fn delete(ctx: &Ctx<'_>, mut p: Params) -> Result<Map<String, Value>, TcrError> {
    policy::allow(Action::DeleteInstance, ctx.principal)?;
    let id = p.required_str("RegistryId")?;
    p.ignore("DeleteBucket");
    let dry_run = p.optional_bool("DryRun")?.unwrap_or(false);
    p.finish()?;
    let account = ctx.account().to_string();
    db::write(&ctx.state.pool, move |conn| {
        // Locked first, as CreateNamespace does: a namespace made meanwhile is committed
        // before the tombstones below, or finds no registry.
        repo::registries::find_in_account_locked(conn, &account, &id)?
            .ok_or(TcrError::RegistryNotFound)?;
        if dry_run {
            return Ok(());
        }
        // Its namespaces keep their names: the registry storage may still hold their images.
        repo::namespaces::tombstone_registry(conn, &id, repo::now())?;
        if !repo::registries::delete(conn, &id)? {
            return Err(TcrError::RegistryNotFound);
        }
        Ok(())
    })
    .await?;
    Ok(Map::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_names_follow_the_rule() {
        for ok in ["myreg", "team-registry-01"] {
            assert!(valid_name(ok), "{ok}");
        }
        for bad in ["abc", "1abcd", "abcd-", "ab--cd", "ABCDE", &"a".repeat(51)] {
            assert!(!valid_name(bad), "{bad}");
        }
    }
}
