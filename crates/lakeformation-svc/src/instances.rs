//! LakeFormation instances of a project: the vendor's rules for a new one (name,
//! charge mode, description), the unique name, the page a listing shows and what a
//! delete takes with it. The caller has been authorized already (`policy::authorize`);
//! every query is filtered by the project, so another project's instance is not found.
//!
//! Every function takes a connection inside the caller's transaction and the request's
//! parts, so tests call them without HTTP.

use chrono::NaiveDateTime;
use credential_core::names::{validate_lakeformation_instance_name, validate_text, TEXT_MAX};
use serde::{Deserialize, Serialize};
use service_kit::auth::Principal;
use service_kit::db::DbConnection;
use utoipa::ToSchema;

use crate::error::LfError;
use crate::repo::{self, Instance};

/// LakeFormation's `CreateLakeFormationInstanceRequestBody`. `enterprise_project_id`,
/// `shared`, `specs` and `tags` are accepted because the SDK sends them, and not kept:
/// every instance answers as shared, in enterprise project `0`, without specs or tags.
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = CreateInstanceRequestBody)]
pub struct NewInstance {
    /// Unique in the project.
    #[schema(pattern = "^[A-Za-z0-9_-]{4,32}$")]
    name: String,
    /// Pay-per-use only.
    #[serde(default)]
    #[schema(pattern = "^postPaid$")]
    charge_mode: Option<String>,
    #[serde(default)]
    enterprise_project_id: Option<String>,
    /// Free text without control characters.
    #[serde(default)]
    #[schema(max_length = 255, pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$")]
    description: Option<String>,
    #[serde(default)]
    shared: Option<bool>,
    #[serde(default)]
    specs: Option<Vec<Spec>>,
    #[serde(default)]
    tags: Option<Vec<Tag>>,
}

/// LakeFormation's `CreateSpec`.
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    #[serde(default)]
    product_id: Option<String>,
    spec_code: String,
    stride_num: i64,
}

/// LakeFormation's `TagInfo`.
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Tag {
    key: String,
    value: String,
}

/// Which instances a listing asks for.
pub struct Page {
    pub offset: i64,
    pub limit: i64,
    /// Only the instance of this exact name.
    pub name: Option<String>,
    pub in_recycle_bin: bool,
    /// Only instances of this enterprise project (`all_granted_eps`: every one).
    pub enterprise_project_id: Option<String>,
    /// Only instances carrying these tags (empty: no filter).
    pub tags: Option<String>,
}

impl Page {
    /// Whether the filters leave any instance at all. Nothing is ever in the recycle bin
    /// (deleting removes), every instance is in enterprise project `0` and none has tags
    /// (neither is kept), so such filters select nothing rather than being ignored.
    fn can_match(&self) -> bool {
        let in_project_zero = self
            .enterprise_project_id
            .as_deref()
            .is_none_or(|e| e == "0" || e == ALL_ENTERPRISE_PROJECTS);
        let untagged = self.tags.as_deref().is_none_or(str::is_empty);
        !self.in_recycle_bin && in_project_zero && untagged
    }
}

/// The vendor's `enterprise_project_id` for "every project the caller may see".
pub const ALL_ENTERPRISE_PROJECTS: &str = "all_granted_eps";

/// The row a create makes, once the body follows the vendor's rules.
fn new_row(
    b: NewInstance,
    project_id: String,
    creator: &str,
    now: NaiveDateTime,
) -> Result<Instance, LfError> {
    // The vendor's rule, quoted in the refusal: "name must be 4 to 32 letters, ...".
    validate_lakeformation_instance_name(&b.name)
        .map_err(|e| LfError::BadRequest(format!("{e}.")))?;
    if b.charge_mode.as_deref().is_some_and(|m| m != "postPaid") {
        return Err(LfError::BadRequest("charge_mode must be postPaid.".into()));
    }
    let description = b.description.unwrap_or_default();
    validate_text(&description, TEXT_MAX).map_err(|_| {
        LfError::BadRequest(
            "description must be at most 255 characters without control characters.".into(),
        )
    })?;
    Ok(Instance {
        id: uuid::Uuid::new_v4().to_string(),
        project_id,
        name: b.name,
        description,
        status: "RUNNING".into(),
        created_by: creator.to_string(),
        created_at: now,
    })
}

/// Create an instance of `caller` in `project_id`; its name is unique in the project.
pub fn create(
    conn: &mut DbConnection,
    caller: &Principal,
    project_id: &str,
    input: NewInstance,
    now: NaiveDateTime,
) -> Result<Instance, LfError> {
    let row = new_row(input, project_id.to_string(), &caller.user_id, now)?;
    repo::insert_instance(conn, &row).map_err(|e| {
        e.or_taken(|| {
            LfError::Conflict(format!(
                "An instance named {} already exists in the project.",
                row.name
            ))
        })
    })?;
    Ok(row)
}

/// One page of the project's instances and how many there are in all.
pub fn page(
    conn: &mut DbConnection,
    project_id: &str,
    page: Page,
) -> Result<(Vec<Instance>, i64), LfError> {
    if !page.can_match() {
        return Ok((Vec::new(), 0));
    }
    Ok(repo::instances_page(
        conn,
        project_id,
        page.name.as_deref(),
        page.offset,
        page.limit,
    )?)
}

/// The project's instance `id`.
pub fn show(conn: &mut DbConnection, project_id: &str, id: &str) -> Result<Instance, LfError> {
    found(conn, project_id, id)
}

/// Delete the project's instance `id`, revoking at `now` every credential issued through
/// it (`repo::delete_instance`).
pub fn delete(
    conn: &mut DbConnection,
    project_id: &str,
    id: &str,
    now: NaiveDateTime,
) -> Result<(), LfError> {
    found(conn, project_id, id)?;
    repo::delete_instance(conn, id, now)?;
    Ok(())
}

/// A delete removes at once: asked to move the instance to the recycle bin instead, it
/// refuses rather than destroy what the caller meant to keep recoverable.
pub fn no_recycle_bin(to_recycle_bin: bool) -> Result<(), LfError> {
    if to_recycle_bin {
        return Err(LfError::BadRequest(
            "There is no recycle bin: delete without to_recycle_bin, or with false.".into(),
        ));
    }
    Ok(())
}

/// The project's instance `id`, or 404 (also when it is another project's).
fn found(conn: &mut DbConnection, project_id: &str, id: &str) -> Result<Instance, LfError> {
    repo::instance(conn, project_id, id)?
        .ok_or_else(|| LfError::NotFound("The instance does not exist.".into()))
}
