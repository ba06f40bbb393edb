//! The JSON bodies lakeformation-svc answers with, one type each: the OpenAPI document's
//! schemas and the bytes on the wire come from the same type. Fields are declared in
//! alphabetical order, the order the service has always sent them in.

use serde::Serialize;
use utoipa::ToSchema;

use crate::instances::{Spec, Tag};
use crate::issue::Issued;
use crate::repo::Instance;

/// A UTC time as the SDK reads it: milliseconds, ending in `Z`.
fn time(t: chrono::NaiveDateTime) -> String {
    service_kit::timefmt::utc(t, 3, "Z")
}

/// An instance, flat, as LakeFormation's `ShowLakeFormationInstanceResponse` has it.
/// What the service does not keep is answered as the vendor's defaults: enterprise
/// project `0`, shared, pay-per-use, no tags, no specs, never in the recycle bin.
#[derive(Serialize, ToSchema)]
#[schema(as = Instance)]
pub struct InstanceView<'a> {
    #[schema(value_type = String, pattern = "^postPaid$")]
    charge_mode: &'static str,
    /// UTC, milliseconds, ending in `Z` (`2022-10-08T12:49:19.000Z`).
    #[schema(format = DateTime)]
    create_time: String,
    default_instance: bool,
    description: &'a str,
    #[schema(value_type = String, pattern = "^0$")]
    enterprise_project_id: &'static str,
    in_recycle_bin: bool,
    /// A UUID.
    instance_id: &'a str,
    name: &'a str,
    shared: bool,
    /// Always empty: specs are accepted on create and not kept.
    specs: Vec<Spec>,
    /// `RUNNING`: an instance is ready when created.
    #[schema(example = "RUNNING")]
    status: &'a str,
    /// Always empty: tags are accepted on create and not kept.
    tags: Vec<Tag>,
    /// The creation time: an instance is never updated.
    #[schema(format = DateTime)]
    update_time: String,
}

impl<'a> From<&'a Instance> for InstanceView<'a> {
    fn from(i: &'a Instance) -> Self {
        InstanceView {
            charge_mode: "postPaid",
            create_time: time(i.created_at),
            default_instance: false,
            description: &i.description,
            enterprise_project_id: "0",
            in_recycle_bin: false,
            instance_id: &i.id,
            name: &i.name,
            shared: true,
            specs: Vec::new(),
            status: &i.status,
            tags: Vec::new(),
            update_time: time(i.created_at),
        }
    }
}

/// One page of a project's instances, oldest first, and how many there are in all.
#[derive(Serialize, ToSchema)]
#[schema(as = InstanceList)]
pub struct InstanceList<'a> {
    instances: Vec<InstanceView<'a>>,
    #[schema(minimum = 0)]
    total: i64,
}

impl<'a> InstanceList<'a> {
    pub fn of(rows: &'a [Instance], total: i64) -> Self {
        InstanceList {
            instances: rows.iter().map(InstanceView::from).collect(),
            total,
        }
    }
}

// No `Debug`: it holds the secret.
/// A temporary credential, shown once: LakeFormation's `ShowCredentialResponse` plus
/// `expires_at`, which the SDK ignores.
#[derive(Serialize, ToSchema)]
#[schema(as = Credential)]
pub struct CredentialView<'a> {
    /// The temporary access key id.
    #[schema(pattern = "^[A-Z0-9]{20}$")]
    access: &'a str,
    /// UTC, milliseconds, ending in `Z`; never after the IAM token it was issued with.
    #[schema(format = DateTime)]
    expires_at: String,
    /// The temporary secret key.
    #[schema(pattern = "^[A-Za-z0-9]{40}$")]
    secret: &'a str,
    /// The sealed security token (base64url), sent as `X-Security-Token` or `X-TC-Token`.
    #[schema(pattern = "^[A-Za-z0-9_-]+$")]
    security_token: &'a str,
}

impl<'a> From<&'a Issued> for CredentialView<'a> {
    fn from(i: &'a Issued) -> Self {
        CredentialView {
            access: &i.access,
            expires_at: time(i.expires_at),
            secret: i.secret.expose(),
            security_token: i.security_token.expose(),
        }
    }
}
