//! LakeFormation instances of a project: the vendor's rules for a new one and for a
//! change, the unique name, the page a listing shows, and the recycle bin (a delete may
//! move an instance there instead of removing it; recovering brings it back). The caller
//! has been authorized already (`policy::authorize`); every query is filtered by the
//! project, so another project's instance is not found.
//!
//! Every function takes a connection inside the caller's transaction and the request's
//! parts, so tests call them without HTTP.

pub mod fields;
pub mod query;

use chrono::NaiveDateTime;
use credential_core::names::{validate_lakeformation_instance_name, validate_text, TEXT_MAX};
use serde::{Deserialize, Serialize};
use service_kit::auth::Principal;
use service_kit::db::DbConnection;
use utoipa::ToSchema;

use self::fields::{Spec, Tag, DEFAULT_ENTERPRISE_PROJECT};
use self::query::Page;
use crate::error::LfError;
use crate::repo::{self, Instance, TagRow};

/// The status of an instance that serves.
pub const RUNNING: &str = "RUNNING";
/// The status of an instance in the recycle bin: frozen, and recoverable (the vendor's
/// `FROZEN_RELEASABLE`).
pub const RECYCLED: &str = "FROZEN_RELEASABLE";

/// LakeFormation's `CreateInstanceRequestBody`: every field is kept and shown back.
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = CreateInstanceRequestBody)]
pub struct NewInstance {
    /// Unique in the project.
    #[schema(pattern = "^[A-Za-z0-9_-]{4,32}$")]
    name: String,
    /// Pay-per-use only (`prePaid` needs an order, which the SDK cannot send).
    #[serde(default)]
    #[schema(pattern = "^postPaid$")]
    charge_mode: Option<String>,
    /// `0` (the default project) when left out.
    #[serde(default)]
    #[schema(pattern = "^[A-Za-z0-9-]{1,64}$")]
    enterprise_project_id: Option<String>,
    /// Free text without control characters.
    #[serde(default)]
    #[schema(max_length = 255, pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$")]
    description: Option<String>,
    /// `true` (the default): logical multi-tenancy; `false`: a dedicated instance.
    #[serde(default)]
    shared: Option<bool>,
    /// At most 10, one per spec code.
    #[serde(default)]
    #[schema(max_items = 10)]
    specs: Option<Vec<Spec>>,
    /// At most 20, unique keys.
    #[serde(default)]
    #[schema(max_items = 20)]
    tags: Option<Vec<Tag>>,
}

/// LakeFormation's `UpdateLakeFormationInstance`: what a change may set; at least one.
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = UpdateLakeFormationInstance)]
pub struct InstanceUpdate {
    /// A new name, unique in the project.
    #[serde(default)]
    #[schema(pattern = "^[A-Za-z0-9_-]{4,32}$")]
    name: Option<String>,
    /// A new description (`""` clears it).
    #[serde(default)]
    #[schema(max_length = 255, pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$")]
    description: Option<String>,
}

/// An instance as every answer shows it: its row, its specs and its tags.
pub struct Detail {
    pub row: Instance,
    pub specs: Vec<Spec>,
    pub tags: Vec<Tag>,
}

/// The vendor's rule for a name, quoted in the refusal: "name must be 4 to 32 letters, ...".
fn check_name(name: &str) -> Result<(), LfError> {
    validate_lakeformation_instance_name(name).map_err(|e| LfError::BadRequest(format!("{e}.")))
}

fn check_description(description: &str) -> Result<(), LfError> {
    validate_text(description, TEXT_MAX).map_err(|_| {
        LfError::BadRequest(
            "description must be at most 255 characters without control characters.".into(),
        )
    })
}

/// The instance a create makes, once the body follows the vendor's rules.
fn new_detail(
    b: NewInstance,
    project_id: String,
    creator: &str,
    now: NaiveDateTime,
) -> Result<Detail, LfError> {
    check_name(&b.name)?;
    if b.charge_mode.as_deref().is_some_and(|m| m != "postPaid") {
        return Err(LfError::BadRequest("charge_mode must be postPaid.".into()));
    }
    let description = b.description.unwrap_or_default();
    check_description(&description)?;
    let enterprise_project_id = b
        .enterprise_project_id
        .unwrap_or_else(|| DEFAULT_ENTERPRISE_PROJECT.into());
    fields::check_enterprise_project(&enterprise_project_id)?;
    let specs = b.specs.unwrap_or_default();
    fields::check_specs(&specs)?;
    let tags = fields::checked_tags(b.tags.unwrap_or_default())?;
    let row = Instance {
        id: uuid::Uuid::new_v4().to_string(),
        project_id,
        name: b.name,
        description,
        status: RUNNING.into(),
        created_by: creator.to_string(),
        created_at: now,
        enterprise_project_id,
        shared: b.shared.unwrap_or(true),
        specs: serde_json::to_string(&specs).map_err(|e| LfError::Internal(e.to_string()))?,
        updated_at: now,
        recycled_at: None,
    };
    Ok(Detail { row, specs, tags })
}

fn name_taken(name: &str) -> LfError {
    LfError::Conflict(format!(
        "An instance named {name} already exists in the project."
    ))
}

/// Create an instance of `caller` in `project_id`; its name is unique in the project.
pub fn create(
    conn: &mut DbConnection,
    caller: &Principal,
    project_id: &str,
    input: NewInstance,
    now: NaiveDateTime,
) -> Result<Detail, LfError> {
    let detail = new_detail(input, project_id.to_string(), &caller.user_id, now)?;
    let tags: Vec<TagRow> = detail
        .tags
        .iter()
        .map(|t| TagRow {
            instance_id: detail.row.id.clone(),
            tag_key: t.key.clone(),
            tag_value: t.value.clone(),
        })
        .collect();
    repo::insert_instance(conn, &detail.row, &tags)
        .map_err(|e| e.or_taken(|| name_taken(&detail.row.name)))?;
    Ok(detail)
}

/// One page of the project's instances and how many the page's filters select in all.
pub fn page(
    conn: &mut DbConnection,
    project_id: &str,
    page: Page,
) -> Result<(Vec<Detail>, i64), LfError> {
    let (rows, total) = repo::instances_page(conn, project_id, &page)?;
    Ok((details(conn, rows)?, total))
}

/// The project's instance `id`, in the recycle bin or not.
pub fn show(conn: &mut DbConnection, project_id: &str, id: &str) -> Result<Detail, LfError> {
    let row = found(conn, project_id, id)?;
    Ok(details(conn, vec![row])?.remove(0))
}

/// Change the name or description of the project's instance `id` (not one in the
/// recycle bin, which is frozen).
pub fn update(
    conn: &mut DbConnection,
    project_id: &str,
    id: &str,
    change: InstanceUpdate,
    now: NaiveDateTime,
) -> Result<Detail, LfError> {
    if change.name.is_none() && change.description.is_none() {
        return Err(LfError::BadRequest(
            "Give a name or a description to change.".into(),
        ));
    }
    change.name.as_deref().map(check_name).transpose()?;
    change
        .description
        .as_deref()
        .map(check_description)
        .transpose()?;
    let row = serving(conn, project_id, id)?;
    let name = change.name.unwrap_or(row.name);
    let description = change.description.unwrap_or(row.description);
    repo::rename_instance(conn, id, &name, &description, now)
        .map_err(|e| e.or_taken(|| name_taken(&name)))?;
    show(conn, project_id, id)
}

/// Delete the project's instance `id`, revoking at `now` every credential issued through
/// it. With `to_recycle_bin`, the instance is kept in the recycle bin instead, frozen
/// until recovered or deleted; an instance already there is deleted only without it.
pub fn delete(
    conn: &mut DbConnection,
    project_id: &str,
    id: &str,
    to_recycle_bin: bool,
    now: NaiveDateTime,
) -> Result<(), LfError> {
    let row = found(conn, project_id, id)?;
    if !to_recycle_bin {
        repo::delete_instance(conn, id, now)?;
        return Ok(());
    }
    if row.recycled_at.is_some() {
        return Err(LfError::Conflict(
            "The instance is in the recycle bin already: delete it without to_recycle_bin to \
             remove it, or recover it."
                .into(),
        ));
    }
    // The row first: a credential being recorded through it holds the row, so its
    // issuance is committed, and revoked below, before this goes on.
    repo::set_recycled(conn, id, Some(now), RECYCLED, now)?;
    repo::revoke_issued_through(conn, id, now)?;
    Ok(())
}

/// Bring the project's instance `id` back from the recycle bin, running again. The
/// credentials revoked when it went there stay revoked.
pub fn recover(
    conn: &mut DbConnection,
    project_id: &str,
    id: &str,
    now: NaiveDateTime,
) -> Result<Detail, LfError> {
    let row = found(conn, project_id, id)?;
    if row.recycled_at.is_none() {
        return Err(LfError::Conflict(
            "The instance is not in the recycle bin.".into(),
        ));
    }
    repo::set_recycled(conn, id, None, RUNNING, now)?;
    show(conn, project_id, id)
}

/// The project's instance `id` if it serves, held until the transaction ends: a
/// credential recorded through it is then either seen by a concurrent recycle or delete
/// (which changes the row first, so waits for this transaction, then revokes) or refused
/// here because that change committed first.
pub fn held_serving(
    conn: &mut DbConnection,
    project_id: &str,
    id: &str,
) -> Result<Instance, LfError> {
    repo::hold_instance(conn, project_id, id)?;
    serving(conn, project_id, id)
}

/// The project's instance `id` if it serves (issues credentials, takes changes): not in
/// the recycle bin.
pub fn serving(conn: &mut DbConnection, project_id: &str, id: &str) -> Result<Instance, LfError> {
    let row = found(conn, project_id, id)?;
    if row.recycled_at.is_some() {
        return Err(LfError::Conflict(
            "The instance is in the recycle bin: recover it first.".into(),
        ));
    }
    Ok(row)
}

/// The project's instance `id`, or 404 (also when it is another project's).
fn found(conn: &mut DbConnection, project_id: &str, id: &str) -> Result<Instance, LfError> {
    repo::instance(conn, project_id, id)?
        .ok_or_else(|| LfError::NotFound("The instance does not exist.".into()))
}

/// The rows with their specs and tags.
fn details(conn: &mut DbConnection, rows: Vec<Instance>) -> Result<Vec<Detail>, LfError> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut tags = repo::tags_of(conn, &ids)?;
    rows.into_iter()
        .map(|row| {
            // A row's specs are what a create wrote; anything else is a damaged store.
            let specs: Vec<Spec> = serde_json::from_str(&row.specs)
                .map_err(|e| LfError::Internal(format!("instance {}: specs: {e}", row.id)))?;
            let (own, rest): (Vec<TagRow>, Vec<TagRow>) =
                tags.drain(..).partition(|t| t.instance_id == row.id);
            tags = rest;
            let tags = own
                .into_iter()
                .map(|t| Tag {
                    key: t.tag_key,
                    value: t.tag_value,
                })
                .collect();
            Ok(Detail { row, specs, tags })
        })
        .collect()
}
