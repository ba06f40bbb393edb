//! `/v1/{project_id}/instances`: LakeFormation instances of a project, as the vendor's
//! JSON; the rules are in `crate::instances`.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use service_kit::db;
use utoipa::IntoParams;

use super::views::{InstanceList, InstanceView};
use super::Caller;
use crate::error::{Json, LfError};
use crate::instances::{self, NewInstance, Page};
use crate::openapi::{CreateRefusals, InstanceRefusals, ListRefusals};
use crate::policy::{self, Action};
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/v1/{project_id}/instances")
            .route(web::post().to(create))
            .route(web::get().to(list)),
    )
    .service(
        web::resource("/v1/{project_id}/instances/{instance_id}")
            .route(web::get().to(show))
            .route(web::delete().to(delete)),
    );
}

#[utoipa::path(post, path = "/v1/{project_id}/instances", tag = "instances",
    operation_id = "CreateLakeFormationInstance",
    params(("project_id" = String, Path, min_length = 1, description = "The caller's project scope.")),
    request_body = NewInstance,
    responses((status = 202, description = "The new instance, ready.", body = InstanceView), CreateRefusals),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])))]
async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: Json<NewInstance>,
) -> Result<HttpResponse, LfError> {
    let project_id = path.into_inner();
    policy::authorize(&caller, &project_id, Action::CreateInstance)?;
    let (p, input, now) = (
        caller.principal.clone(),
        body.into_inner(),
        state.clock.stored_now(),
    );
    let row = db::write(&state.pool, move |conn| {
        instances::create(conn, &p, &project_id, input, now)
    })
    .await?;
    Ok(HttpResponse::Accepted().json(InstanceView::from(&row)))
}

/// The query of a listing, as the SDK sends it: every parameter optional; the numbers and
/// flags are read by [`number`] and [`flag`], which say what was wrong.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    #[param(value_type = i64, required = false, minimum = 0, maximum = 1000, default = 0)]
    offset: Option<String>,
    #[param(value_type = i64, required = false, minimum = 1, maximum = 1000, default = 10)]
    limit: Option<String>,
    /// Only the instance of this exact name.
    name: Option<String>,
    /// `true` lists the recycle bin, which is always empty.
    #[param(value_type = bool, required = false, default = false)]
    in_recycle_bin: Option<String>,
    /// `0` or `all_granted_eps` (the default) list every instance; another enterprise
    /// project has none.
    enterprise_project_id: Option<String>,
    /// Any tag filter lists nothing: instances carry no tags.
    tags: Option<String>,
}

/// The integer query parameter `name`, within `range`; `default` when absent.
fn number(
    value: Option<&str>,
    name: &str,
    default: i64,
    range: std::ops::RangeInclusive<i64>,
) -> Result<i64, LfError> {
    match value {
        None => Ok(default),
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|n| range.contains(n))
            .ok_or_else(|| {
                LfError::BadRequest(format!(
                    "{name} must be an integer from {} to {}.",
                    range.start(),
                    range.end()
                ))
            }),
    }
}

/// The boolean query parameter `name`: `true`, `false`, or absent (false).
fn flag(value: Option<&str>, name: &str) -> Result<bool, LfError> {
    match value {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(_) => Err(LfError::BadRequest(format!(
            "{name} must be true or false."
        ))),
    }
}

#[utoipa::path(get, path = "/v1/{project_id}/instances", tag = "instances",
    operation_id = "ListLakeFormationInstances",
    params(("project_id" = String, Path, min_length = 1, description = "The caller's project scope."), ListQuery),
    responses((status = 200, description = "One page of the project's instances, oldest first.", body = InstanceList), ListRefusals),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])))]
async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, LfError> {
    let project_id = path.into_inner();
    policy::authorize(&caller, &project_id, Action::ListInstances)?;
    let q = query.into_inner();
    let page = Page {
        offset: number(q.offset.as_deref(), "offset", 0, 0..=1000)?,
        limit: number(q.limit.as_deref(), "limit", 10, 1..=1000)?,
        name: q.name,
        in_recycle_bin: flag(q.in_recycle_bin.as_deref(), "in_recycle_bin")?,
        enterprise_project_id: q.enterprise_project_id,
        tags: q.tags,
    };
    let (rows, total) = db::run(&state.pool, move |conn| {
        instances::page(conn, &project_id, page)
    })
    .await?;
    Ok(HttpResponse::Ok().json(InstanceList::of(&rows, total)))
}

#[utoipa::path(get, path = "/v1/{project_id}/instances/{instance_id}", tag = "instances",
    operation_id = "ShowLakeFormationInstance",
    params(("project_id" = String, Path, min_length = 1, description = "The caller's project scope."), ("instance_id" = String, Path, min_length = 1)),
    responses((status = 200, description = "The instance.", body = InstanceView), InstanceRefusals),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])))]
async fn show(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, LfError> {
    let (project_id, id) = path.into_inner();
    policy::authorize(&caller, &project_id, Action::DescribeInstance)?;
    let instance = db::run(&state.pool, move |conn| {
        instances::show(conn, &project_id, &id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(InstanceView::from(&instance)))
}

/// The query of a delete.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct DeleteQuery {
    /// Only `false`: there is no recycle bin, a delete removes the instance at once.
    #[param(value_type = bool, required = false, default = false)]
    to_recycle_bin: Option<String>,
}

#[utoipa::path(delete, path = "/v1/{project_id}/instances/{instance_id}", tag = "instances",
    operation_id = "DeleteLakeFormationInstance",
    params(("project_id" = String, Path, min_length = 1, description = "The caller's project scope."), ("instance_id" = String, Path, min_length = 1), DeleteQuery),
    responses((status = 202, description = "Deleted at once, with every credential issued through it revoked."), InstanceRefusals),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])))]
async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    query: web::Query<DeleteQuery>,
) -> Result<HttpResponse, LfError> {
    let (project_id, id) = path.into_inner();
    policy::authorize(&caller, &project_id, Action::DeleteInstance)?;
    instances::no_recycle_bin(flag(query.to_recycle_bin.as_deref(), "to_recycle_bin")?)?;
    let now = state.clock.stored_now();
    db::write(&state.pool, move |conn| {
        instances::delete(conn, &project_id, &id, now)
    })
    .await?;
    Ok(HttpResponse::Accepted().finish())
}
