//! CreateNamespace, DescribeNamespaces, ModifyNamespace, DeleteNamespace and
//! DescribeInstanceAllNamespaces: each reads its parameters ([`super::namespace_input`]),
//! calls one function of [`crate::namespaces`] and renders Tencent's fields.

use serde::de::DeserializeOwned;
use service_kit::db;

use super::namespace_input::{self as input, TAG_RESOURCE_TYPE};
use super::Ctx;
use crate::error::TcrError;
use crate::namespaces::{self, Listing, NamespaceRef};
use crate::params::{paging, Params};
use crate::policy::{self, Action};
use crate::repo::namespaces::{Filter, Namespace};
use crate::views::tencent_time;
use crate::wire::namespaces::{
    AccountNamespace, CreateNamespaceResponse, DeleteNamespaceResponse,
    DescribeInstanceAllNamespacesResponse, DescribeNamespacesResponse, ModifyNamespaceResponse,
    NamespaceTags, TcrNamespaceInfo,
};

/// A stored JSON list (as [`input`] writes it) read back; empty when it cannot be.
pub(super) fn stored<T: DeserializeOwned>(json: &str) -> Vec<T> {
    serde_json::from_str(json).unwrap_or_default()
}

fn view(n: &Namespace) -> TcrNamespaceInfo {
    TcrNamespaceInfo {
        name: n.name.clone(),
        creation_time: tencent_time(n.created_at),
        public: n.public,
        namespace_id: n.id,
        tag_specification: NamespaceTags {
            resource_type: TAG_RESOURCE_TYPE,
            tags: stored(&n.tags),
        },
        metadata: Vec::new(),
        cve_whitelist_items: stored(&n.cve_whitelist),
        auto_scan: n.auto_scan,
        prevent_vul: n.prevent_vul,
        severity: n.severity.clone(),
    }
}

/// The registry and namespace name a request names.
fn named(p: &mut Params) -> Result<NamespaceRef, TcrError> {
    Ok(NamespaceRef {
        registry_id: p.required_str("RegistryId")?,
        name: input::name(p)?,
    })
}

pub async fn create(ctx: &Ctx<'_>, mut p: Params) -> Result<CreateNamespaceResponse, TcrError> {
    policy::allow(Action::CreateNamespace, ctx.principal)?;
    let at = named(&mut p)?;
    let settings = input::settings(&mut p, true)?;
    p.finish()?;
    let (caller, clock) = (ctx.principal.clone(), ctx.state.clock.clone());
    db::write(&ctx.state.pool, move |conn| {
        namespaces::create(conn, &caller, at, &settings, clock.stored_now())
    })
    .await?;
    Ok(CreateNamespaceResponse {
        request_id: ctx.request_id(),
    })
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

pub async fn describe(
    ctx: &Ctx<'_>,
    mut p: Params,
) -> Result<DescribeNamespacesResponse, TcrError> {
    policy::allow(Action::DescribeNamespaces, ctx.principal)?;
    let listing = listing(&mut p)?;
    p.finish()?;
    let caller = ctx.principal.clone();
    let (rows, total) = db::run(&ctx.state.pool, move |conn| {
        namespaces::list(conn, &caller, &listing)
    })
    .await?;
    Ok(DescribeNamespacesResponse {
        namespace_list: rows.iter().map(view).collect(),
        total_count: total,
        request_id: ctx.request_id(),
    })
}

pub async fn modify(ctx: &Ctx<'_>, mut p: Params) -> Result<ModifyNamespaceResponse, TcrError> {
    policy::allow(Action::ModifyNamespace, ctx.principal)?;
    let at = named(&mut p)?;
    let changes = input::settings(&mut p, false)?;
    p.finish()?;
    let (caller, clock) = (ctx.principal.clone(), ctx.state.clock.clone());
    db::write(&ctx.state.pool, move |conn| {
        namespaces::modify(conn, &caller, at, &changes, clock.stored_now())
    })
    .await?;
    Ok(ModifyNamespaceResponse {
        request_id: ctx.request_id(),
    })
}

pub async fn delete(ctx: &Ctx<'_>, mut p: Params) -> Result<DeleteNamespaceResponse, TcrError> {
    policy::allow(Action::DeleteNamespace, ctx.principal)?;
    let at = named(&mut p)?;
    p.finish()?;
    let (caller, clock) = (ctx.principal.clone(), ctx.state.clock.clone());
    db::write(&ctx.state.pool, move |conn| {
        namespaces::delete(conn, &caller, at, clock.stored_now())
    })
    .await?;
    Ok(DeleteNamespaceResponse {
        request_id: ctx.request_id(),
    })
}

/// The namespaces of every registry of the caller's account. The SDK's response model
/// reads only `RequestId`; the list is there for clients that read the JSON.
pub async fn describe_all(
    ctx: &Ctx<'_>,
    mut p: Params,
) -> Result<DescribeInstanceAllNamespacesResponse, TcrError> {
    policy::allow(Action::DescribeInstanceAllNamespaces, ctx.principal)?;
    let (offset, limit) = paging(&mut p, 20, 1000)?;
    p.finish()?;
    let caller = ctx.principal.clone();
    let (rows, total) = db::run(&ctx.state.pool, move |conn| {
        namespaces::list_in_account(conn, &caller, offset, limit)
    })
    .await?;
    Ok(DescribeInstanceAllNamespacesResponse {
        namespace_list: rows.iter().map(account_view).collect(),
        total_count: total,
        request_id: ctx.request_id(),
    })
}

/// A namespace in `DescribeInstanceAllNamespaces`.
fn account_view(n: &Namespace) -> AccountNamespace {
    AccountNamespace {
        namespace: n.name.clone(),
        creation_time: tencent_time(n.created_at),
        registry_id: n.registry_id.clone(),
    }
}
