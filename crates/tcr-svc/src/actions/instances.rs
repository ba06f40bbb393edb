//! CreateInstance, DescribeInstances, DeleteInstance: each reads its parameters, calls
//! one function of [`crate::registries`] and renders Tencent's fields.

use serde_json::Value;
use service_kit::db;

use super::Ctx;
use crate::error::TcrError;
use crate::params::{has_only, paging, Params};
use crate::policy::{self, Action};
use crate::registries::{self, NewRegistry};
use crate::repo::registries::{Filter, Registry};
use crate::views::tencent_time;
use crate::wire::instances::{
    CreateInstanceResponse, DeleteInstanceResponse, DescribeInstancesResponse,
    Registry as RegistryView,
};
use crate::wire::Null;

fn view(r: &Registry) -> RegistryView {
    RegistryView {
        registry_id: r.id.clone(),
        registry_name: r.name.clone(),
        registry_type: r.registry_type.clone(),
        status: r.status.clone(),
        public_domain: r.registry_address.clone(),
        internal_endpoint: r.registry_address.clone(),
        created_at: tencent_time(r.created_at),
        region_name: r.region.clone(),
        region_id: 1,
        enable_anonymous: false,
        token_valid_time: 1,
        tag_specification: Null,
        expired_at: String::new(),
        pay_mod: 0,
        renew_flag: 0,
        deletion_protection: false,
        ai_feature: false,
        enable_cos_maz: false,
        enable_cos_versioning: false,
    }
}

/// The registry a `CreateInstance` asks for, checked.
fn new_registry(ctx: &Ctx<'_>, mut p: Params) -> Result<NewRegistry, TcrError> {
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
    let fronts = &ctx.state.config.registry;
    NewRegistry::new(name, registry_type, ctx.region.clone(), fronts)
}

pub async fn create(ctx: &Ctx<'_>, p: Params) -> Result<CreateInstanceResponse, TcrError> {
    policy::allow(Action::CreateInstance, ctx.principal)?;
    let new = new_registry(ctx, p)?;
    let (caller, now) = (ctx.principal.clone(), ctx.state.clock.stored_now());
    let row = db::write(&ctx.state.pool, move |conn| {
        registries::create(conn, &caller, new, now)
    })
    .await?;
    Ok(CreateInstanceResponse {
        registry_id: row.id,
        request_id: ctx.request_id(),
    })
}

pub async fn describe(ctx: &Ctx<'_>, mut p: Params) -> Result<DescribeInstancesResponse, TcrError> {
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
    let caller = ctx.principal.clone();
    let (rows, total) = db::run(&ctx.state.pool, move |conn| {
        registries::list(conn, &caller, &filter, offset, limit)
    })
    .await?;
    Ok(DescribeInstancesResponse {
        total_count: total,
        registries: rows.iter().map(view).collect(),
        request_id: ctx.request_id(),
    })
}

/// `Filters: [{"Name": "RegistryName" | "RegistryId", "Values": [...]}]`, ANDed; a field
/// besides those two is refused, never ignored.
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
        if !has_only(&item, &["Name", "Values"]) {
            return Err(bad());
        }
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

pub async fn delete(ctx: &Ctx<'_>, mut p: Params) -> Result<DeleteInstanceResponse, TcrError> {
    policy::allow(Action::DeleteInstance, ctx.principal)?;
    let id = p.required_str("RegistryId")?;
    p.ignore("DeleteBucket");
    let dry_run = p.optional_bool("DryRun")?.unwrap_or(false);
    p.finish()?;
    let (caller, clock) = (ctx.principal.clone(), ctx.state.clock.clone());
    db::write(&ctx.state.pool, move |conn| {
        registries::delete(conn, &caller, &id, dry_run, clock.stored_now())
    })
    .await?;
    Ok(DeleteInstanceResponse {
        request_id: ctx.request_id(),
    })
}
