//! `/v2/{project_id}/instances/{instance_id}/namespaces[/{namespace_name}]`: the
//! namespaces of an instance, in the shapes `huaweicloudsdkswr` sends and reads. A
//! repository `<namespace>/<name>` belongs to the instance that owns the namespace; the
//! name is unique in the registry, and a deleted one stays taken by its instance
//! (`repo::namespaces`).

use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use credential_core::names::validate_swr_credential_name;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use service_kit::db;

use crate::app::{Caller, Json};
use crate::error::SwrError;
use crate::policy::{self, Action};
use crate::repo::namespaces::{ListQuery, Namespace, NewNamespace, OrderColumn};
use crate::repo::{self};
use crate::state::AppState;
use crate::views::swr_time;

/// A page of namespaces when `limit` is not given, as the vendor's.
const DEFAULT_LIMIT: i64 = 10;

pub fn configure(cfg: &mut web::ServiceConfig) {
    let base = "/v2/{project_id}/instances/{instance_id}/namespaces";
    cfg.service(
        web::resource(base)
            .route(web::post().to(create))
            .route(web::get().to(list)),
    )
    .service(
        web::resource(format!("{base}/{{namespace_name}}"))
            .route(web::get().to(show))
            .route(web::put().to(update))
            .route(web::delete().to(delete)),
    );
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    namespace_name: String,
    #[serde(default)]
    metadata: Option<Metadata>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct UpdateBody {
    metadata: Metadata,
    /// Read only to refuse it: no image is scanned, so there is nothing to allow.
    #[serde(default)]
    cve_allowlist: Option<Value>,
}

/// The SDK's `NamespaceMetadata`: every value is a string. Only `public` is kept; the
/// scanning settings are refused rather than dropped, since nothing here scans images.
#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Metadata {
    public: String,
    #[serde(default)]
    auto_scan: Option<Value>,
    #[serde(default)]
    prevent_vul: Option<Value>,
    #[serde(default)]
    severity: Option<Value>,
}

impl Metadata {
    /// Whether the namespace is public: `"true"` or `"false"`, as the SDK sends it.
    fn public(&self) -> Result<bool, SwrError> {
        if self.auto_scan.is_some() || self.prevent_vul.is_some() || self.severity.is_some() {
            return Err(SwrError::BadRequest(
                "metadata.auto_scan, metadata.prevent_vul and metadata.severity are not supported: images are not scanned.".into(),
            ));
        }
        parse_bool("metadata.public", &self.public)
    }
}

fn parse_bool(field: &str, value: &str) -> Result<bool, SwrError> {
    match value {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(SwrError::BadRequest(format!(
            "{field} must be the string \"true\" or \"false\"."
        ))),
    }
}

/// The vendor's rule (the credential names' rule): 1 to 64 characters of `a-z`, `0-9`
/// and single `.`, `_` or `-` between them.
fn validate_namespace_name(name: &str) -> Result<(), SwrError> {
    validate_swr_credential_name(name)
        .map_err(|e| SwrError::InvalidName(format!("Invalid namespace name: {e}")))
}

/// The list's query: the vendor's filters, order and page; anything else is refused.
fn list_query(query: &HashMap<String, String>) -> Result<ListQuery, SwrError> {
    const KNOWN: [&str; 6] = [
        "offset",
        "limit",
        "order_column",
        "order_type",
        "name",
        "public",
    ];
    if let Some(unknown) = query.keys().find(|k| !KNOWN.contains(&k.as_str())) {
        return Err(SwrError::BadRequest(format!(
            "Unknown query parameter {unknown:?}: the list takes {}.",
            KNOWN.join(", ")
        )));
    }
    let (offset, limit) = super::page_bounds(query, DEFAULT_LIMIT)?;
    let order = match query.get("order_column").map(String::as_str) {
        None | Some("created_at") => OrderColumn::CreatedAt,
        Some("updated_at") => OrderColumn::UpdatedAt,
        Some("name") => OrderColumn::Name,
        Some(_) => {
            return Err(SwrError::BadRequest(
                "order_column must be updated_at, created_at or name.".into(),
            ))
        }
    };
    let descending = match query.get("order_type").map(String::as_str) {
        None | Some("asc") => false,
        Some("desc") => true,
        Some(_) => {
            return Err(SwrError::BadRequest(
                "order_type must be asc or desc.".into(),
            ))
        }
    };
    let name_contains = match query.get("name") {
        None => None,
        Some(text) if is_name_fragment(text) => Some(text.clone()),
        Some(_) => {
            return Err(SwrError::InvalidName(
                "name must be 1 to 64 characters of a-z, 0-9, '.', '_' and '-'.".into(),
            ))
        }
    };
    let public = query
        .get("public")
        .map(|v| parse_bool("public", v))
        .transpose()?;
    Ok(ListQuery {
        name_contains,
        public,
        order,
        descending,
        offset,
        limit,
    })
}

/// Part of a name: what the list's `name` filter looks for.
fn is_name_fragment(text: &str) -> bool {
    (1..=64).contains(&text.len())
        && text.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
        })
}

fn metadata_view(n: &Namespace) -> Value {
    json!({ "public": if n.public { "true" } else { "false" } })
}

/// The SDK's `Namespace` (and `ShowInstanceNamespaceResponse`). `repo_count` and
/// `cve_allowlist` are left out: the registry's contents are not known here.
fn view(n: &Namespace) -> Value {
    json!({
        "name": n.name,
        "namespace_id": n.id,
        "metadata": metadata_view(n),
        "created_at": swr_time(n.created_at),
        "updated_at": swr_time(n.updated_at),
    })
}

async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: Json<CreateBody>,
) -> Result<HttpResponse, SwrError> {
    let (project_id, instance_id) = path.into_inner();
    policy::authorize(&caller, &project_id, Action::CreateNamespace)?;
    let body = body.into_inner();
    validate_namespace_name(&body.namespace_name)?;
    let public = body.metadata.as_ref().map(Metadata::public).transpose()?;
    let name = body.namespace_name;
    let created = db::write(&state.pool, move |conn| {
        let instance = super::instance(conn, &project_id, &instance_id)?;
        let new = NewNamespace {
            instance_id: &instance.id,
            registry_service: &instance.registry_service,
            name: &name,
            public: public.unwrap_or(false),
        };
        repo::namespaces::create(conn, &new, repo::now())?.ok_or_else(|| {
            SwrError::Conflict(format!(
                "The namespace {name} already exists in the registry."
            ))
        })
    })
    .await?;
    Ok(HttpResponse::Created().json(json!({ "id": created.id })))
}

async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, SwrError> {
    let (project_id, instance_id) = path.into_inner();
    policy::authorize(&caller, &project_id, Action::ListNamespaces)?;
    let wanted = list_query(&query)?;
    let (rows, total) = db::run(&state.pool, move |conn| {
        super::instance(conn, &project_id, &instance_id)?;
        Ok::<_, SwrError>(repo::namespaces::page(conn, &instance_id, &wanted)?)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .json(json!({ "namespaces": rows.iter().map(view).collect::<Vec<_>>(), "total": total })))
}

async fn show(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, SwrError> {
    let (project_id, instance_id, name) = path.into_inner();
    policy::authorize(&caller, &project_id, Action::GetNamespace)?;
    let found = db::run(&state.pool, move |conn| {
        super::instance(conn, &project_id, &instance_id)?;
        repo::namespaces::find(conn, &instance_id, &name)?.ok_or(SwrError::NamespaceNotFound)
    })
    .await?;
    Ok(HttpResponse::Ok().json(view(&found)))
}

async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String, String)>,
    body: Json<UpdateBody>,
) -> Result<HttpResponse, SwrError> {
    let (project_id, instance_id, name) = path.into_inner();
    policy::authorize(&caller, &project_id, Action::UpdateNamespace)?;
    let body = body.into_inner();
    if body.cve_allowlist.is_some() {
        return Err(SwrError::BadRequest(
            "cve_allowlist is not supported: images are not scanned.".into(),
        ));
    }
    let public = body.metadata.public()?;
    let updated = db::write(&state.pool, move |conn| {
        super::instance(conn, &project_id, &instance_id)?;
        if !repo::namespaces::set_public(conn, &instance_id, &name, public, repo::now())? {
            return Err(SwrError::NamespaceNotFound);
        }
        repo::namespaces::find(conn, &instance_id, &name)?.ok_or(SwrError::NamespaceNotFound)
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({
        "namespace_name": updated.name,
        "metadata": metadata_view(&updated),
    })))
}

async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, SwrError> {
    let (project_id, instance_id, name) = path.into_inner();
    policy::authorize(&caller, &project_id, Action::DeleteNamespace)?;
    db::write(&state.pool, move |conn| {
        super::instance(conn, &project_id, &instance_id)?;
        if !repo::namespaces::tombstone(conn, &instance_id, &name, repo::now())? {
            return Err(SwrError::NamespaceNotFound);
        }
        Ok(())
    })
    .await?;
    Ok(HttpResponse::Ok().finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_list_query_takes_the_vendors_parameters_and_refuses_the_rest() {
        let q = list_query(&query(&[])).unwrap();
        assert_eq!(
            (q.offset, q.limit, q.order, q.descending),
            (0, 10, OrderColumn::CreatedAt, false)
        );
        let q = list_query(&query(&[
            ("order_column", "updated_at"),
            ("order_type", "desc"),
            ("name", "team_a"),
            ("public", "true"),
            ("limit", "20"),
            ("offset", "40"),
        ]))
        .unwrap();
        assert_eq!(
            (q.order, q.descending, q.public),
            (OrderColumn::UpdatedAt, true, Some(true))
        );
        assert_eq!(
            (q.offset, q.limit, q.name_contains.as_deref()),
            (40, 20, Some("team_a"))
        );
        for bad in [
            ("order_column", "size"),
            ("order_type", "up"),
            ("public", "yes"),
            ("name", "Team"),
            ("name", "a%"),
            ("limit", "101"),
            ("surprise", "1"),
        ] {
            assert!(list_query(&query(&[bad])).is_err(), "{bad:?}");
        }
    }
}
