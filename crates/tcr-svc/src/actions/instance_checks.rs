//! DescribeInstanceStatus, CheckInstanceName, CheckInstance: each reads its parameters,
//! asks [`crate::policy`], calls one read of [`crate::registries`] and renders Tencent's
//! fields.

use service_kit::db;

use super::Ctx;
use crate::error::TcrError;
use crate::params::Params;
use crate::policy::{self, Action};
use crate::regions::region_id;
use crate::registries;
use crate::wire::instance_checks::{
    CheckInstanceNameResponse, CheckInstanceResponse, DescribeInstanceStatusResponse,
    RegistryStatus,
};

/// The status a registry answers with once created: it is ready at once.
const RUNNING: &str = "Running";

pub async fn describe_status(
    ctx: &Ctx<'_>,
    mut p: Params,
) -> Result<DescribeInstanceStatusResponse, TcrError> {
    policy::allow(Action::DescribeInstanceStatus, ctx.principal)?;
    let ids = p
        .optional_str_list("RegistryIds")?
        .ok_or_else(|| TcrError::MissingParameter("RegistryIds".into()))?;
    p.finish()?;
    let caller = ctx.principal.clone();
    let rows = db::run(&ctx.state.pool, move |conn| {
        registries::statuses(conn, &caller, &ids)
    })
    .await?;
    Ok(DescribeInstanceStatusResponse {
        registry_status_set: rows
            .into_iter()
            .map(|r| RegistryStatus {
                registry_id: r.id,
                status: r.status,
                conditions: Vec::new(),
            })
            .collect(),
        request_id: ctx.request_id(),
    })
}

pub async fn check_name(
    ctx: &Ctx<'_>,
    mut p: Params,
) -> Result<CheckInstanceNameResponse, TcrError> {
    policy::allow(Action::CheckInstanceName, ctx.principal)?;
    let name = p.required_str("RegistryName")?;
    p.finish()?;
    let caller = ctx.principal.clone();
    let refusal = db::run(&ctx.state.pool, move |conn| {
        registries::check_name(conn, &caller, &name)
    })
    .await?;
    Ok(CheckInstanceNameResponse {
        is_validated: refusal.is_none(),
        detail_code: refusal.map(|r| r.detail_code()),
        request_id: ctx.request_id(),
    })
}

pub async fn check(ctx: &Ctx<'_>, mut p: Params) -> Result<CheckInstanceResponse, TcrError> {
    policy::allow(Action::CheckInstance, ctx.principal)?;
    let id = p.required_str("RegistryId")?;
    p.finish()?;
    let caller = ctx.principal.clone();
    let found = db::run(&ctx.state.pool, move |conn| {
        registries::find_of_caller(conn, &caller, &id)
    })
    .await?;
    let running = found.filter(|r| r.status == RUNNING);
    Ok(CheckInstanceResponse {
        is_validated: running.is_some(),
        region_id: running.and_then(|r| region_id(&r.region)),
        request_id: ctx.request_id(),
    })
}
