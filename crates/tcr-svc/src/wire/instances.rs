//! CreateInstance, DescribeInstances, DeleteInstance on the wire.

use serde::Serialize;
use utoipa::ToSchema;

use super::FalseOnly;
use crate::registries::REGISTRY_TYPES;

/// `CreateInstance`: a registry in the caller's account, fronting the configured registry,
/// in the region `X-TC-Region` names (required; one of the regions docs/api/tcr.md lists,
/// else `InvalidParameter.UnsupportedRegion`). The billing and storage settings take only
/// what the registry then is: pay as you go, without deletion protection, on the
/// operator's storage; any other value is `UnsupportedOperation`, never dropped.
#[derive(ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
#[schema(example = json!({"RegistryName": "team-registry", "RegistryType": "basic", "TagSpecification": {"ResourceType": "instance", "Tags": [{"Key": "team", "Value": "a"}]}, "RegistryChargeType": 0, "SyncTag": false, "EnableCosMAZ": false, "DeletionProtection": false, "EnableCosVersioning": false}))]
pub struct CreateInstanceRequest {
    /// 5 to 50 characters of a-z, 0-9 and '-', starting with a letter, not ending with
    /// '-', without '--'; unique in the account.
    #[schema(min_length = 5, max_length = 50, pattern = "^[a-z](-?[a-z0-9])*$")]
    pub registry_name: String,
    pub registry_type: RegistryType,
    /// The registry's cloud tags, shown by `DescribeInstances`.
    pub tag_specification: Option<RegistryTagsInput>,
    /// 0: pay as you go, the only kind (`DescribeInstances` shows `PayMod` 0).
    #[schema(minimum = 0, maximum = 0, default = 0)]
    pub registry_charge_type: Option<i64>,
    /// false (the storage is the operator's, not a bucket to tag).
    #[schema(default = false)]
    pub sync_tag: Option<FalseOnly>,
    /// false (the storage is the operator's).
    #[schema(default = false)]
    #[serde(rename = "EnableCosMAZ")]
    pub enable_cos_maz: Option<FalseOnly>,
    /// false: no action here could lift a protection.
    #[schema(default = false)]
    pub deletion_protection: Option<FalseOnly>,
    /// false (the storage is the operator's).
    #[schema(default = false)]
    pub enable_cos_versioning: Option<FalseOnly>,
}

/// `TagSpecification` of `CreateInstance`: at most 50 tags of distinct keys.
#[derive(ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct RegistryTagsInput {
    pub resource_type: Option<InstanceResourceType>,
    #[schema(max_items = 50)]
    pub tags: Option<Vec<TagInput>>,
}

/// A cloud tag as a request gives it.
#[derive(ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct TagInput {
    #[schema(min_length = 1, max_length = 127)]
    pub key: String,
    #[schema(max_length = 255)]
    pub value: String,
}

#[derive(ToSchema)]
pub enum InstanceResourceType {
    #[serde(rename = "instance")]
    Instance,
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

/// `DescribeInstances`: the caller's account's registries in the request's region, oldest
/// first.
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
    /// true: every region's registries; false: those of the `X-TC-Region` (every region's
    /// when the request names none).
    #[schema(default = false)]
    pub all_region: Option<bool>,
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

/// A registry as the SDK's `Registry` model reads it. The fields about billing and storage
/// hold what every registry here is: pay as you go, on the operator's storage.
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
    /// Tencent's id of that region (1 for `ap-guangzhou`, ...; docs/api/tcr.md lists
    /// them); null for a region outside the table, of a registry made before regions were
    /// checked.
    pub region_id: Option<i64>,
    /// false: pulling needs a login, but from a public namespace.
    pub enable_anonymous: bool,
    /// The most a `temp` instance token lives, in hours (`tokens.temp_lifetime_seconds`
    /// rounded up to whole hours); one made by a temporary key also ends with the key.
    pub token_valid_time: i64,
    pub tag_specification: RegistryTags,
    /// Empty: nothing is prepaid, so nothing expires.
    pub expired_at: String,
    /// 0: pay as you go, the only kind.
    pub pay_mod: i64,
    /// 0, Tencent's value for a registry that is not prepaid.
    pub renew_flag: i64,
    /// false: `CreateInstance` refuses a protection.
    pub deletion_protection: bool,
    /// false: no AI features.
    #[serde(rename = "AIFeature")]
    pub ai_feature: bool,
    /// false: the storage is the operator's, not a COS bucket.
    #[serde(rename = "EnableCosMAZ")]
    pub enable_cos_maz: bool,
    /// false: the storage is the operator's, not a COS bucket.
    pub enable_cos_versioning: bool,
}

/// A registry's cloud tags, as stored.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct RegistryTags {
    /// Always `instance`.
    pub resource_type: &'static str,
    pub tags: Vec<KeyValue>,
}

/// `DeleteInstance`: the registry, its tokens and service accounts; its namespaces are
/// deleted and keep their names.
#[derive(ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
#[schema(example = json!({"RegistryId": "tcr-5zq3bc1x", "DeleteBucket": false, "DryRun": true}))]
pub struct DeleteInstanceRequest {
    pub registry_id: String,
    /// false: the registry's storage is the operator's, and its images stay there (true is
    /// `UnsupportedOperation`).
    #[schema(default = false)]
    pub delete_bucket: Option<FalseOnly>,
    /// true: check that the registry may be deleted, and delete nothing.
    #[schema(default = false)]
    pub dry_run: Option<bool>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct DeleteInstanceResponse {
    pub request_id: String,
}
