//! CreateNamespace, DescribeNamespaces, ModifyNamespace, DeleteNamespace and
//! DescribeInstanceAllNamespaces: each reads its parameters ([`super::namespace_input`]),
//! calls one function of [`crate::namespaces`] and renders Tencent's fields.

use serde_json::{json, Map, Value};
use service_kit::db;

use super::namespace_input::{self as input, TAG_RESOURCE_TYPE};
use super::{fields, Ctx};
use crate::error::TcrError;
use crate::namespaces::{self, Listing, NamespaceRef};
use crate::params::{paging, Params};
use crate::policy::{self, Action};
use crate::repo::namespaces::{Filter, Namespace};
use crate::views::tencent_time;

/// Stored JSON as an answer's value; a list when it cannot be read back.
fn stored(json: &str) -> Value {
    serde_json::from_str(json).unwrap_or_else(|_| Value::Array(Vec::new()))
}

/// `TcrNamespaceInfo`.
fn view(n: &Namespace) -> Value {
    json!({
        "Name": n.name,
        "CreationTime": tencent_time(n.created_at),
        "Public": n.public,
        "NamespaceId": n.id,
        "TagSpecification": { "ResourceType": TAG_RESOURCE_TYPE, "Tags": stored(&n.tags) },
        "Metadata": [],
        "CVEWhitelistItems": stored(&n.cve_whitelist),
        "AutoScan": n.auto_scan,
        "PreventVUL": n.prevent_vul,
        "Severity": n.severity,
    })
}

/// The registry and namespace name a request names.
fn named(p: &mut Params) -> Result<NamespaceRef, TcrError> {
    Ok(NamespaceRef {
        registry_id: p.required_str("RegistryId")?,
        name: input::name(p)?,
    })
}

pub async fn create(ctx: &Ctx<'_>, mut p: Params) -> Result<Map<String, Value>, TcrError> {
    policy::allow(Action::CreateNamespace, ctx.principal)?;
    let at = named(&mut p)?;
    let settings = input::settings(&mut p, true)?;
    p.finish()?;
    let (caller, clock) = (ctx.principal.clone(), ctx.state.clock.clone());
    db::write(&ctx.state.pool, move |conn| {
        namespaces::create(conn, &caller, at, &settings, clock.stored_now())
    })
    .await?;
    Ok(Map::new())
}

/// What a `DescribeNamespaces` asks for.
fn listing(p: &mut Params) -> Result<Listing, TcrError> {
    let registry_id = p.required_str("RegistryId")?;
    let mut filter = Filter {
        name: p.optional_str("NamespaceName")?,
        tags: Vec::new(),
    };
    let all = p.optional_bool("All")?.unwrap_or(false);
    let (offset, limit) = paging(p, 20, 1000)?;
    let signed_only = p.optional_bool("KmsSignPolicy")?.unwrap_or(false);
    if let Some(raw) = p.optional_raw("Filters") {
        filter.tags = input::tag_filters(raw)?;
    }
    Ok(Listing {
        registry_id,
        filter,
        signed_only,
        offset,
        limit: (!all).then_some(limit),
    })
}

pub async fn describe(ctx: &Ctx<'_>, mut p: Params) -> Result<Map<String, Value>, TcrError> {
    policy::allow(Action::DescribeNamespaces, ctx.principal)?;
    let listing = listing(&mut p)?;
    p.finish()?;
    let caller = ctx.principal.clone();
    let (rows, total) = db::run(&ctx.state.pool, move |conn| {
        namespaces::list(conn, &caller, &listing)
    })
    .await?;
    let list: Vec<Value> = rows.iter().map(view).collect();
    Ok(fields(
        json!({ "NamespaceList": list, "TotalCount": total }),
    ))
}

pub async fn modify(ctx: &Ctx<'_>, mut p: Params) -> Result<Map<String, Value>, TcrError> {
    policy::allow(Action::ModifyNamespace, ctx.principal)?;
    let at = named(&mut p)?;
    let changes = input::settings(&mut p, false)?;
    p.finish()?;
    let (caller, clock) = (ctx.principal.clone(), ctx.state.clock.clone());
    db::write(&ctx.state.pool, move |conn| {
        namespaces::modify(conn, &caller, at, &changes, clock.stored_now())
    })
    .await?;
    Ok(Map::new())
}

pub async fn delete(ctx: &Ctx<'_>, mut p: Params) -> Result<Map<String, Value>, TcrError> {
    policy::allow(Action::DeleteNamespace, ctx.principal)?;
    let at = named(&mut p)?;
    p.finish()?;
    let (caller, clock) = (ctx.principal.clone(), ctx.state.clock.clone());
    db::write(&ctx.state.pool, move |conn| {
        namespaces::delete(conn, &caller, at, clock.stored_now())
    })
    .await?;
    Ok(Map::new())
}

/// The namespaces of every registry of the caller's account. The SDK's response model
/// reads only `RequestId`; the list is there for clients that read the JSON.
pub async fn describe_all(ctx: &Ctx<'_>, mut p: Params) -> Result<Map<String, Value>, TcrError> {
    policy::allow(Action::DescribeInstanceAllNamespaces, ctx.principal)?;
    let (offset, limit) = paging(&mut p, 20, 1000)?;
    p.finish()?;
    let caller = ctx.principal.clone();
    let (rows, total) = db::run(&ctx.state.pool, move |conn| {
        namespaces::list_in_account(conn, &caller, offset, limit)
    })
    .await?;
    let list: Vec<Value> = rows.iter().map(account_view).collect();
    Ok(fields(
        json!({ "NamespaceList": list, "TotalCount": total }),
    ))
}

/// A namespace in `DescribeInstanceAllNamespaces`.
fn account_view(n: &Namespace) -> Value {
    json!({
        "Namespace": n.name,
        "CreationTime": tencent_time(n.created_at),
        "RegistryId": n.registry_id,
    })
}
