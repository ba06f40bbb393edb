//! Registries (TCR instances) of an account: what a new one may be called and of which
//! type, the row it becomes, the account's listing, and deleting one with its namespaces.
//!
//! Every function takes a connection inside the caller's transaction, the caller and
//! `now`, so tests call them without HTTP. Who may act is [`crate::policy`]'s answer,
//! asked by the action before any of these; what is here holds whoever asks. A registry
//! belongs to one account (iam-svc domain): every lookup is filtered by the caller's, so
//! another account's registry is not found.

use chrono::NaiveDateTime;
use credential_core::names::validate_tcr_instance_name;
use service_kit::auth::Principal;
use service_kit::db::DbConnection;

use crate::config::RegistryConfig;
use crate::error::TcrError;
use crate::regions::region_id;
use crate::repo::{
    self,
    registries::{Filter, Registry},
};

pub const REGISTRY_TYPES: [&str; 3] = ["basic", "standard", "premium"];

/// The longest region a registry records: its column's width.
pub const REGION_MAX: usize = 64;

/// A region name as Tencent writes them (`ap-guangzhou`), or none: what `X-TC-Region`
/// may say, to any action.
pub fn check_region(region: &str) -> Result<(), TcrError> {
    let valid = region.len() <= REGION_MAX
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if valid {
        Ok(())
    } else {
        Err(region_refused())
    }
}

/// The refusal of an `X-TC-Region` that is no region name.
pub fn region_refused() -> TcrError {
    TcrError::InvalidParameterValue(format!(
        "X-TC-Region must be at most {REGION_MAX} characters of a-z, 0-9 and '-'."
    ))
}

/// What a `CreateInstance` asks for, checked; the registry it fronts is the operator's
/// setting, never the caller's.
pub struct NewRegistry {
    name: String,
    registry_type: String,
    region: String,
    service: String,
    address: String,
    tags: String,
}

impl NewRegistry {
    /// The name follows the vendor's rule ([`validate_tcr_instance_name`]), the region is
    /// one of [`crate::regions::REGIONS`] (whose id the registry then shows), the type is
    /// one of [`REGISTRY_TYPES`]. No tags until [`NewRegistry::tagged`].
    pub fn new(
        name: String,
        registry_type: String,
        region: String,
        fronts: &RegistryConfig,
    ) -> Result<NewRegistry, TcrError> {
        if validate_tcr_instance_name(&name).is_err() {
            return Err(TcrError::InvalidRegistryName);
        }
        check_region(&region)?;
        if region.is_empty() {
            return Err(TcrError::MissingParameter("X-TC-Region".into()));
        }
        if region_id(&region).is_none() {
            return Err(TcrError::UnsupportedRegion(region));
        }
        if !REGISTRY_TYPES.contains(&registry_type.as_str()) {
            return Err(TcrError::InvalidParameter(
                "RegistryType must be basic, standard or premium.".into(),
            ));
        }
        Ok(NewRegistry {
            name,
            registry_type,
            region,
            service: fronts.service.clone(),
            address: fronts.address.clone(),
            tags: "[]".into(),
        })
    }

    /// With these cloud tags: a JSON list of `{"Key", "Value"}`, checked by the caller.
    pub fn tagged(self, tags: String) -> NewRegistry {
        NewRegistry { tags, ..self }
    }
}

/// `tcr-` and eight lowercase letters or digits, like Tencent's ids.
fn new_registry_id() -> Result<String, TcrError> {
    let suffix =
        credential_core::random::random_alphanumeric(8, b"abcdefghijklmnopqrstuvwxyz0123456789")
            .map_err(|e| TcrError::Internal(e.to_string()))?;
    Ok(format!("tcr-{suffix}"))
}

/// The registry `new` asks for, in the caller's account; its name is unique there.
pub fn create(
    conn: &mut DbConnection,
    p: &Principal,
    new: NewRegistry,
    now: NaiveDateTime,
) -> Result<Registry, TcrError> {
    let row = Registry {
        id: new_registry_id()?,
        domain_id: p.domain_id.clone(),
        name: new.name,
        registry_type: new.registry_type,
        region: new.region,
        status: "Running".into(),
        registry_service: new.service,
        registry_address: new.address,
        created_at: now,
        tags: new.tags,
    };
    repo::registries::insert(conn, &row).map_err(|e| {
        e.or_taken(|| {
            TcrError::NameConflict(format!(
                "A registry named {} already exists in the account.",
                row.name
            ))
        })
    })?;
    Ok(row)
}

/// A page of the caller's account's registries that `filter` lets through, oldest first,
/// and their total.
pub fn list(
    conn: &mut DbConnection,
    p: &Principal,
    filter: &Filter,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Registry>, i64), TcrError> {
    Ok(repo::registries::page(
        conn,
        &p.domain_id,
        filter,
        offset,
        limit,
    )?)
}

/// Delete the caller's registry `id` (only look it up when `dry_run`). Its namespaces
/// become tombstones at `now` and keep their names: the registry storage may still hold
/// their images.
pub fn delete(
    conn: &mut DbConnection,
    p: &Principal,
    id: &str,
    dry_run: bool,
    now: NaiveDateTime,
) -> Result<(), TcrError> {
    // Locked first, as CreateNamespace does: a namespace made meanwhile is committed
    // before the tombstones below, or finds no registry.
    of_caller_locked(conn, p, id)?;
    if dry_run {
        return Ok(());
    }
    repo::namespaces::tombstone_registry(conn, id, now)?;
    if !repo::registries::delete(conn, id)? {
        return Err(TcrError::RegistryNotFound);
    }
    Ok(())
}

/// The most registries one `DescribeInstanceStatus` asks about.
pub const STATUS_IDS_MAX: usize = 100;

/// Those of the registries `ids` that are the caller's account's, oldest first; the
/// others are not found, and left out.
pub fn statuses(
    conn: &mut DbConnection,
    p: &Principal,
    ids: &[String],
) -> Result<Vec<Registry>, TcrError> {
    if ids.len() > STATUS_IDS_MAX {
        return Err(TcrError::InvalidParameterValue(format!(
            "RegistryIds may name at most {STATUS_IDS_MAX} registries."
        )));
    }
    Ok(repo::registries::of_account_among(conn, &p.domain_id, ids)?)
}

/// Why `CreateInstance` would refuse the name `name` in the caller's account, if it would.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameRefusal {
    /// The name breaks the vendor's rule.
    Illegal,
    /// A registry of the account holds it.
    Existed,
}

impl NameRefusal {
    /// Tencent's `DetailCode` for it.
    pub fn detail_code(self) -> i64 {
        match self {
            NameRefusal::Illegal => 1,
            NameRefusal::Existed => 3,
        }
    }
}

/// Whether `CreateInstance` would take `name` in the caller's account (it may not, still,
/// if another takes it first).
pub fn check_name(
    conn: &mut DbConnection,
    p: &Principal,
    name: &str,
) -> Result<Option<NameRefusal>, TcrError> {
    if validate_tcr_instance_name(name).is_err() {
        return Ok(Some(NameRefusal::Illegal));
    }
    let taken = repo::registries::name_taken(conn, &p.domain_id, name)?;
    Ok(taken.then_some(NameRefusal::Existed))
}

/// The caller's account's registry `id`, if it is one: what `CheckInstance` answers on.
pub fn find_of_caller(
    conn: &mut DbConnection,
    p: &Principal,
    id: &str,
) -> Result<Option<Registry>, TcrError> {
    Ok(repo::registries::find_in_account(conn, &p.domain_id, id)?)
}

/// The caller's account's registry `id`: what every action on something inside a
/// registry looks up first.
pub fn of_caller(conn: &mut DbConnection, p: &Principal, id: &str) -> Result<Registry, TcrError> {
    repo::registries::find_in_account(conn, &p.domain_id, id)?.ok_or(TcrError::RegistryNotFound)
}

/// [`of_caller`], locked until the transaction ends (PostgreSQL), for writes that must
/// not interleave with the registry's deletion.
pub fn of_caller_locked(
    conn: &mut DbConnection,
    p: &Principal,
    id: &str,
) -> Result<Registry, TcrError> {
    repo::registries::find_in_account_locked(conn, &p.domain_id, id)?
        .ok_or(TcrError::RegistryNotFound)
}
