//! CreateNamespace, DescribeNamespaces, ModifyNamespace, DeleteNamespace and
//! DescribeInstanceAllNamespaces: the namespaces of the account's registries, which decide
//! what a registry login opens. A name is unique among the registries of one registry
//! service, and a deleted one keeps its name for its own registry alone
//! ([`crate::repo::namespaces`]).

use serde_json::{json, Map, Value};
use service_kit::db::{self, StoreError};

use super::namespace_input::{self as input, TAG_RESOURCE_TYPE};
use super::{fields, Ctx};
use crate::error::TcrError;
use crate::params::{paging, Params};
use crate::policy::{self, Action};
use crate::repo::{
    self,
    namespaces::{Filter, Namespace},
};
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

pub async fn create(ctx: &Ctx<'_>, mut p: Params) -> Result<Map<String, Value>, TcrError> {
    policy::allow(Action::CreateNamespace, ctx.principal)?;
    let registry_id = p.required_str("RegistryId")?;
    let name = input::name(&mut p)?;
    let settings = input::settings(&mut p, true)?;
    p.finish()?;
    let account = ctx.account().to_string();
    db::write(&ctx.state.pool, move |conn| {
        let registry = repo::registries::find_in_account_locked(conn, &account, &registry_id)?
            .ok_or(TcrError::RegistryNotFound)?;
        let service = &registry.registry_service;
        repo::namespaces::create(conn, &registry.id, service, &name, &settings, repo::now())
            .map_err(|e| match e {
                StoreError::UniqueViolation => TcrError::NamespaceTaken(name.clone()),
                other => other.into(),
            })
    })
    .await?;
    Ok(Map::new())
}

pub async fn describe(ctx: &Ctx<'_>, mut p: Params) -> Result<Map<String, Value>, TcrError> {
    policy::allow(Action::DescribeNamespaces, ctx.principal)?;
    let registry_id = p.required_str("RegistryId")?;
    let mut filter = Filter {
        name: p.optional_str("NamespaceName")?,
        tags: Vec::new(),
    };
    let all = p.optional_bool("All")?.unwrap_or(false);
    let (offset, limit) = paging(&mut p, 20, 1000)?;
    // No namespace here has a KMS signature policy: asking for those lists none.
    let signed_only = p.optional_bool("KmsSignPolicy")?.unwrap_or(false);
    if let Some(raw) = p.optional_raw("Filters") {
        filter.tags = input::tag_filters(raw)?;
    }
    p.finish()?;
    let limit = (!all).then_some(limit);
    let account = ctx.account().to_string();
    let (rows, total) = db::run(&ctx.state.pool, move |conn| {
        repo::registries::find_in_account(conn, &account, &registry_id)?
            .ok_or(TcrError::RegistryNotFound)?;
        if signed_only {
            return Ok((Vec::new(), 0));
        }
        Ok::<_, TcrError>(repo::namespaces::page(
            conn,
            &registry_id,
            &filter,
            offset,
            limit,
        )?)
    })
    .await?;
    let list: Vec<Value> = rows.iter().map(view).collect();
    Ok(fields(
        json!({ "NamespaceList": list, "TotalCount": total }),
    ))
}

pub async fn modify(ctx: &Ctx<'_>, mut p: Params) -> Result<Map<String, Value>, TcrError> {
    policy::allow(Action::ModifyNamespace, ctx.principal)?;
    let registry_id = p.required_str("RegistryId")?;
    let name = input::name(&mut p)?;
    let changes = input::settings(&mut p, false)?;
    p.finish()?;
    let account = ctx.account().to_string();
    db::write(&ctx.state.pool, move |conn| {
        repo::registries::find_in_account(conn, &account, &registry_id)?
            .ok_or(TcrError::RegistryNotFound)?;
        if !repo::namespaces::update(conn, &registry_id, &name, &changes, repo::now())? {
            return Err(TcrError::NamespaceNotFound);
        }
        Ok(())
    })
    .await?;
    Ok(Map::new())
}

pub async fn delete(ctx: &Ctx<'_>, mut p: Params) -> Result<Map<String, Value>, TcrError> {
    policy::allow(Action::DeleteNamespace, ctx.principal)?;
    let registry_id = p.required_str("RegistryId")?;
    let name = input::name(&mut p)?;
    p.finish()?;
    let account = ctx.account().to_string();
    db::write(&ctx.state.pool, move |conn| {
        repo::registries::find_in_account(conn, &account, &registry_id)?
            .ok_or(TcrError::RegistryNotFound)?;
        if !repo::namespaces::tombstone(conn, &registry_id, &name, repo::now())? {
            return Err(TcrError::NamespaceNotFound);
        }
        Ok(())
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
    let account = ctx.account().to_string();
    let (rows, total) = db::run(&ctx.state.pool, move |conn| {
        Ok::<_, TcrError>(repo::namespaces::page_in_account(
            conn, &account, offset, limit,
        )?)
    })
    .await?;
    let list: Vec<Value> = rows
        .iter()
        .map(|n| {
            json!({
                "Namespace": n.name,
                "CreationTime": tencent_time(n.created_at),
                "RegistryId": n.registry_id,
            })
        })
        .collect();
    Ok(fields(
        json!({ "NamespaceList": list, "TotalCount": total }),
    ))
}
