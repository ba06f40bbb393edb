//! The JSON bodies lakeformation-svc answers with, one type each: the OpenAPI document's
//! schemas and the bytes on the wire come from the same type. Fields are declared in
//! alphabetical order, the order the service has always sent them in.

use serde::Serialize;
use utoipa::ToSchema;

use crate::instances::fields::{Spec, Tag};
use crate::instances::Detail;
use crate::issue::Issued;

/// A UTC time as the SDK reads it: milliseconds, ending in `Z`.
fn time(t: chrono::NaiveDateTime) -> String {
    service_kit::timefmt::utc(t, 3, "Z")
}

/// An instance, flat, as LakeFormation's `ShowLakeFormationInstanceResponse` has it:
/// what its create and later changes stored.
#[derive(Serialize, ToSchema)]
#[schema(as = Instance)]
pub struct InstanceView<'a> {
    #[schema(value_type = String, pattern = "^postPaid$")]
    charge_mode: &'static str,
    /// UTC, milliseconds, ending in `Z` (`2022-10-08T12:49:19.000Z`).
    #[schema(format = DateTime)]
    create_time: String,
    /// Always false: no operation here makes an instance the project's default.
    default_instance: bool,
    description: &'a str,
    #[schema(pattern = "^[A-Za-z0-9-]{1,64}$")]
    enterprise_project_id: &'a str,
    in_recycle_bin: bool,
    /// A UUID.
    instance_id: &'a str,
    name: &'a str,
    shared: bool,
    specs: &'a [Spec],
    /// `RUNNING`, or `FROZEN_RELEASABLE` in the recycle bin.
    #[schema(example = "RUNNING")]
    status: &'a str,
    /// Sorted by key.
    tags: &'a [Tag],
    /// When the name, description or recycle-bin state last changed (the creation time
    /// until then).
    #[schema(format = DateTime)]
    update_time: String,
}

impl<'a> From<&'a Detail> for InstanceView<'a> {
    fn from(d: &'a Detail) -> Self {
        let i = &d.row;
        InstanceView {
            charge_mode: "postPaid",
            create_time: time(i.created_at),
            default_instance: false,
            description: &i.description,
            enterprise_project_id: &i.enterprise_project_id,
            in_recycle_bin: i.recycled_at.is_some(),
            instance_id: &i.id,
            name: &i.name,
            shared: i.shared,
            specs: &d.specs,
            status: &i.status,
            tags: &d.tags,
            update_time: time(i.updated_at),
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
    pub fn of(details: &'a [Detail], total: i64) -> Self {
        InstanceList {
            instances: details.iter().map(InstanceView::from).collect(),
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
