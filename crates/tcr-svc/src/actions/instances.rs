//! CreateInstance, DescribeInstances, DeleteInstance: each reads its parameters, calls
//! one function of [`crate::registries`] and renders Tencent's fields.

use serde_json::Value;
use service_kit::db;

use super::namespace_input::tags_of;
use super::namespaces::stored;
use super::Ctx;
use crate::error::TcrError;
use crate::params::{has_only, paging, Params};
use crate::policy::{self, Action};
use crate::regions::region_id;
use crate::registries::{self, NewRegistry};
use crate::repo::registries::{Filter, Registry};
use crate::tokens::TokenKind;
use crate::views::tencent_time;
use crate::wire::instances::{
    CreateInstanceResponse, DeleteInstanceResponse, DescribeInstancesResponse,
    Registry as RegistryView, RegistryTags,
};

/// The registry as `DescribeInstances` shows it; a temp token lives at most
/// `token_valid_hours`.
fn view(r: &Registry, token_valid_hours: i64) -> RegistryView {
    RegistryView {
        registry_id: r.id.clone(),
        registry_name: r.name.clone(),
        registry_type: r.registry_type.clone(),
        status: r.status.clone(),
        public_domain: r.registry_address.clone(),
        internal_endpoint: r.registry_address.clone(),
        created_at: tencent_time(r.created_at),
        region_name: r.region.clone(),
        region_id: region_id(&r.region),
        enable_anonymous: false,
        token_valid_time: token_valid_hours,
        tag_specification: RegistryTags {
            resource_type: TAG_RESOURCE_TYPE,
            tags: stored(&r.tags),
        },
        expired_at: String::new(),
        pay_mod: 0,
        renew_flag: 0,
        deletion_protection: false,
        ai_feature: false,
        enable_cos_maz: false,
        enable_cos_versioning: false,
    }
}

/// The only resource type a registry's tags may name.
pub const TAG_RESOURCE_TYPE: &str = "instance";

/// A setting of Tencent's that this service has only one answer to: `false` (or left out)
/// is that answer; `true` is refused, for `why`, rather than dropped.
fn only_false(p: &mut Params, name: &str, why: &str) -> Result<(), TcrError> {
    match p.optional_bool(name)? {
        Some(true) => Err(TcrError::UnsupportedOperation(format!(
            "{name} true is not supported: {why}"
        ))),
        _ => Ok(()),
    }
}

/// The registry a `CreateInstance` asks for, checked. The billing and storage settings
/// take only what `DescribeInstances` then shows: pay-as-you-go (`RegistryChargeType` 0,
/// no `RegistryChargePrepaid`), no deletion protection, the operator's storage.
fn new_registry(ctx: &Ctx<'_>, mut p: Params) -> Result<NewRegistry, TcrError> {
    let name = p.required_str("RegistryName")?;
    let registry_type = p.required_str("RegistryType")?;
    let tags = p
        .optional_raw("TagSpecification")
        .map(|raw| tags_of(raw, TAG_RESOURCE_TYPE))
        .transpose()?;
    match p.optional_i64("RegistryChargeType")? {
        None | Some(0) => {}
        Some(_) => {
            return Err(TcrError::UnsupportedOperation(
                "RegistryChargeType must be 0 (pay as you go): nothing is prepaid here.".into(),
            ))
        }
    }
    if p.optional_raw("RegistryChargePrepaid").is_some() {
        return Err(TcrError::UnsupportedOperation(
            "RegistryChargePrepaid is not supported: nothing is prepaid here.".into(),
        ));
    }
    const STORAGE: &str = "the registry's storage is the operator's, not a bucket of the account.";
    only_false(&mut p, "SyncTag", STORAGE)?;
    only_false(&mut p, "EnableCosMAZ", STORAGE)?;
    only_false(&mut p, "EnableCosVersioning", STORAGE)?;
    only_false(
        &mut p,
        "DeletionProtection",
        "no action here could lift it; DeleteInstance with DryRun checks a delete instead.",
    )?;
    p.finish()?;
    let fronts = &ctx.state.config.registry;
    let new = NewRegistry::new(name, registry_type, ctx.region.clone(), fronts)?;
    Ok(match tags {
        Some(tags) => new.tagged(tags),
        None => new,
    })
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
        ..Filter::default()
    };
    if let Some(raw) = p.optional_raw("Filters") {
        apply_filters(&mut filter, raw)?;
    }
    let (offset, limit) = paging(&mut p, 20, 100)?;
    // The request's region only, as Tencent lists, unless every region is asked for; a
    // request that names no region lists them all.
    let all_regions = p.optional_bool("AllRegion")?.unwrap_or(false);
    if !all_regions && !ctx.region.is_empty() {
        filter.region = Some(ctx.region.clone());
    }
    p.finish()?;
    let caller = ctx.principal.clone();
    let (rows, total) = db::run(&ctx.state.pool, move |conn| {
        registries::list(conn, &caller, &filter, offset, limit)
    })
    .await?;
    let hours = TokenKind::temp_valid_hours(&ctx.state.config.tokens);
    Ok(DescribeInstancesResponse {
        total_count: total,
        registries: rows.iter().map(|r| view(r, hours)).collect(),
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
    only_false(
        &mut p,
        "DeleteBucket",
        "the registry's storage is the operator's; its images stay there.",
    )?;
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
