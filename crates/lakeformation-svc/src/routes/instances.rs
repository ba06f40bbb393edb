//! `/v1/{project_id}/instances`: LakeFormation instances of a project, as the vendor's
//! JSON; the rules are in `crate::instances`.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use service_kit::db;
use service_kit::http::json;
use utoipa::IntoParams;

use super::views::{InstanceList, InstanceView};
use super::Caller;
use crate::error::{Json, LfError};
use crate::instances::query::{flag, ListQuery};
use crate::instances::{self, InstanceUpdate, NewInstance};
use crate::openapi::{
    ChangeRefusals, CreateRefusals, DeleteRefusals, InstanceRefusals, ListRefusals,
};
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
            .route(web::put().to(update))
            .route(web::delete().to(delete)),
    )
    .route(
        "/v1/{project_id}/instances/{instance_id}/recover",
        web::post().to(recover),
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
    let created = db::write(&state.pool, move |conn| {
        instances::create(conn, &p, &project_id, input, now)
    })
    .await?;
    Ok(HttpResponse::Accepted().json(InstanceView::from(&created)))
}

#[utoipa::path(get, path = "/v1/{project_id}/instances", tag = "instances",
    operation_id = "ListLakeFormationInstances",
    params(("project_id" = String, Path, min_length = 1, description = "The caller's project scope."), ListQuery),
    responses((status = 200, description = "One page of the project's instances that the filters select, oldest first.", body = InstanceList), ListRefusals),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])))]
async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, LfError> {
    let project_id = path.into_inner();
    policy::authorize(&caller, &project_id, Action::ListInstances)?;
    let page = query.into_inner().page()?;
    let (details, total) = db::run(&state.pool, move |conn| {
        instances::page(conn, &project_id, page)
    })
    .await?;
    Ok(HttpResponse::Ok().json(InstanceList::of(&details, total)))
}

#[utoipa::path(get, path = "/v1/{project_id}/instances/{instance_id}", tag = "instances",
    operation_id = "ShowLakeFormationInstance",
    params(("project_id" = String, Path, min_length = 1, description = "The caller's project scope."), ("instance_id" = String, Path, min_length = 1)),
    responses((status = 200, description = "The instance, in the recycle bin or not.", body = InstanceView), InstanceRefusals),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])))]
async fn show(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, LfError> {
    let (project_id, id) = path.into_inner();
    policy::authorize(&caller, &project_id, Action::DescribeInstance)?;
    let detail = db::run(&state.pool, move |conn| {
        instances::show(conn, &project_id, &id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(InstanceView::from(&detail)))
}

#[utoipa::path(put, path = "/v1/{project_id}/instances/{instance_id}", tag = "instances",
    operation_id = "UpdateLakeFormationInstance",
    params(("project_id" = String, Path, min_length = 1, description = "The caller's project scope."), ("instance_id" = String, Path, min_length = 1)),
    request_body = InstanceUpdate,
    responses((status = 200, description = "The instance as changed.", body = InstanceView), ChangeRefusals),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])))]
async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: Json<InstanceUpdate>,
) -> Result<HttpResponse, LfError> {
    let (project_id, id) = path.into_inner();
    policy::authorize(&caller, &project_id, Action::UpdateInstance)?;
    let (change, now) = (body.into_inner(), state.clock.stored_now());
    let detail = db::write(&state.pool, move |conn| {
        instances::update(conn, &project_id, &id, change, now)
    })
    .await?;
    Ok(HttpResponse::Ok().json(InstanceView::from(&detail)))
}

/// The query of a delete.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct DeleteQuery {
    /// `true`: keep the instance in the recycle bin, frozen and recoverable; `false`
    /// (the default): remove it.
    #[param(value_type = bool, required = false, default = false)]
    to_recycle_bin: Option<String>,
}

#[utoipa::path(delete, path = "/v1/{project_id}/instances/{instance_id}", tag = "instances",
    operation_id = "DeleteLakeFormationInstance",
    params(("project_id" = String, Path, min_length = 1, description = "The caller's project scope."), ("instance_id" = String, Path, min_length = 1), DeleteQuery),
    responses((status = 202, description = "Removed, or moved to the recycle bin; every credential issued through it is revoked either way."), DeleteRefusals),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])))]
async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    query: web::Query<DeleteQuery>,
) -> Result<HttpResponse, LfError> {
    let (project_id, id) = path.into_inner();
    policy::authorize(&caller, &project_id, Action::DeleteInstance)?;
    let to_recycle_bin = flag(query.to_recycle_bin.as_deref(), "to_recycle_bin")?;
    let now = state.clock.stored_now();
    db::write(&state.pool, move |conn| {
        instances::delete(conn, &project_id, &id, to_recycle_bin, now)
    })
    .await?;
    Ok(HttpResponse::Accepted().finish())
}

#[utoipa::path(post, path = "/v1/{project_id}/instances/{instance_id}/recover", tag = "instances",
    operation_id = "MoveLakeFormationInstanceOutRecycleBin",
    params(("project_id" = String, Path, min_length = 1, description = "The caller's project scope."), ("instance_id" = String, Path, min_length = 1)),
    responses((status = 200, description = "The instance, out of the recycle bin and running. The credentials revoked when it went there stay revoked.", body = InstanceView), ChangeRefusals),
    security(("x_auth_token" = []), ("sdk_hmac_sha256" = [])))]
async fn recover(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, LfError> {
    let (project_id, id) = path.into_inner();
    policy::authorize(&caller, &project_id, Action::RecoverInstance)?;
    // The SDK sends none.
    json::optional::<json::NoFields>(&body)?;
    let now = state.clock.stored_now();
    let detail = db::write(&state.pool, move |conn| {
        instances::recover(conn, &project_id, &id, now)
    })
    .await?;
    Ok(HttpResponse::Ok().json(InstanceView::from(&detail)))
}
