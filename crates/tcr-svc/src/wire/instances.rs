//! CreateInstance, DescribeInstances, DeleteInstance on the wire.

use serde::Serialize;
use utoipa::ToSchema;

use super::{Ignored, Null};
use crate::registries::REGISTRY_TYPES;

/// `CreateInstance`: a registry in the caller's account, fronting the configured registry.
/// `X-TC-Region` is recorded as its `RegionName`.
#[derive(ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
#[schema(example = json!({"RegistryName": "team-registry", "RegistryType": "basic", "TagSpecification": {"ResourceType": "instance", "Tags": [{"Key": "team", "Value": "a"}]}, "RegistryChargeType": 0, "RegistryChargePrepaid": {"Period": 1, "RenewFlag": 0}, "SyncTag": false, "EnableCosMAZ": false, "DeletionProtection": false, "EnableCosVersioning": false}))]
pub struct CreateInstanceRequest {
    /// 5 to 50 characters of a-z, 0-9 and '-', starting with a letter, not ending with
    /// '-', without '--'; unique in the account.
    #[schema(min_length = 5, max_length = 50, pattern = "^[a-z](-?[a-z0-9])*$")]
    pub registry_name: String,
    pub registry_type: RegistryType,
    /// Any value, ignored: nothing here is tagged. The SDK's shape is
    /// `{"ResourceType": "instance", "Tags": [{"Key", "Value"}]}`.
    #[schema(required = false)]
    pub tag_specification: Ignored,
    /// Any value, ignored: nothing is charged. The SDK's is an integer.
    #[schema(required = false)]
    pub registry_charge_type: Ignored,
    /// Any value, ignored: nothing is charged. The SDK's shape is
    /// `{"Period": integer, "RenewFlag": integer}`.
    #[schema(required = false)]
    pub registry_charge_prepaid: Ignored,
    /// Any value, ignored. The SDK's is a boolean.
    #[schema(required = false)]
    pub sync_tag: Ignored,
    /// Any value, ignored: the registry's storage is the operator's. The SDK's is a boolean.
    #[schema(required = false)]
    #[serde(rename = "EnableCosMAZ")]
    pub enable_cos_maz: Ignored,
    /// Any value, ignored: `DescribeInstances` shows `false`. The SDK's is a boolean.
    #[schema(required = false)]
    pub deletion_protection: Ignored,
    /// Any value, ignored: the registry's storage is the operator's. The SDK's is a boolean.
    #[schema(required = false)]
    pub enable_cos_versioning: Ignored,
}

super::string_enum!(
    /// [`REGISTRY_TYPES`].
    RegistryType = REGISTRY_TYPES,
    "A registry's edition."
);

/// A tag or metadata entry.
#[derive(Clone, Serialize, serde::Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct KeyValue {
    pub key: String,
    pub value: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct CreateInstanceResponse {
    /// `tcr-` and eight characters of a-z and 0-9.
    #[schema(example = "tcr-5zq3bc1x")]
    pub registry_id: String,
    pub request_id: String,
}

/// `DescribeInstances`: the caller's account's registries, by name.
#[derive(ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
#[schema(example = json!({"Registryids": ["tcr-5zq3bc1x"], "Filters": [{"Name": "RegistryId", "Values": ["tcr-5zq3bc1x"]}], "Offset": 0, "Limit": 20, "AllRegion": false}))]
pub struct DescribeInstancesRequest {
    /// These registries only (lower-case `i`, as the SDK spells it).
    #[serde(rename = "Registryids")]
    pub registry_ids: Option<Vec<String>>,
    /// ANDed; the values of one filter are ORed.
    pub filters: Option<Vec<InstanceFilter>>,
    #[schema(minimum = 0, default = 0)]
    pub offset: Option<i64>,
    #[schema(minimum = 1, maximum = 100, default = 20)]
    pub limit: Option<i64>,
    /// Any value, ignored: every region's registries are listed. The SDK's is a boolean.
    #[schema(required = false)]
    pub all_region: Ignored,
}

/// A filter of `DescribeInstances`.
#[derive(ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct InstanceFilter {
    pub name: InstanceFilterName,
    pub values: Vec<String>,
}

#[derive(ToSchema)]
pub enum InstanceFilterName {
    RegistryName,
    RegistryId,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct DescribeInstancesResponse {
    /// All the registries the filters match, whatever the page.
    pub total_count: i64,
    pub registries: Vec<Registry>,
    pub request_id: String,
}

/// A registry as the SDK's `Registry` model reads it. The vendor fields this service has
/// no data for hold fixed values.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Registry {
    pub registry_id: String,
    pub registry_name: String,
    pub registry_type: String,
    /// Always `Running`.
    pub status: String,
    /// The address of the registry it fronts.
    pub public_domain: String,
    /// The same address.
    pub internal_endpoint: String,
    /// Like `2024-11-28T03:40:44+00:00`.
    #[schema(format = DateTime)]
    pub created_at: String,
    /// The `X-TC-Region` it was created with.
    pub region_name: String,
    /// Always 1.
    pub region_id: i64,
    /// Always false.
    pub enable_anonymous: bool,
    /// Always 1 (hours).
    pub token_valid_time: i64,
    /// Always null.
    pub tag_specification: Null,
    /// Always empty: nothing is prepaid.
    pub expired_at: String,
    /// Always 0.
    pub pay_mod: i64,
    /// Always 0.
    pub renew_flag: i64,
    /// Always false.
    pub deletion_protection: bool,
    /// Always false.
    #[serde(rename = "AIFeature")]
    pub ai_feature: bool,
    /// Always false.
    #[serde(rename = "EnableCosMAZ")]
    pub enable_cos_maz: bool,
    /// Always false.
    pub enable_cos_versioning: bool,
}

/// `DeleteInstance`: the registry, its tokens and service accounts; its namespaces are
/// deleted and keep their names.
#[derive(ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
#[schema(example = json!({"RegistryId": "tcr-5zq3bc1x", "DeleteBucket": false, "DryRun": true}))]
pub struct DeleteInstanceRequest {
    pub registry_id: String,
    /// Any value, ignored: the registry's storage is the operator's. The SDK's is a boolean.
    #[schema(required = false)]
    pub delete_bucket: Ignored,
    /// true: check that the registry may be deleted, and delete nothing.
    #[schema(default = false)]
    pub dry_run: Option<bool>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct DeleteInstanceResponse {
    pub request_id: String,
}
