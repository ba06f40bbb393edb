//! DescribeInstanceStatus, CheckInstanceName, CheckInstance on the wire: the questions a
//! client asks about registries before or after making one.

use serde::Serialize;
use utoipa::ToSchema;

/// `DescribeInstanceStatus`: the status of these registries of the caller's account,
/// whatever their region; an id of none of them (another account's, or unknown) is left
/// out of the answer.
#[derive(ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
#[schema(example = json!({"RegistryIds": ["tcr-5zq3bc1x"]}))]
pub struct DescribeInstanceStatusRequest {
    #[schema(max_items = 100)]
    pub registry_ids: Vec<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct DescribeInstanceStatusResponse {
    /// Oldest registry first; `[]` when none of the ids is the caller's.
    pub registry_status_set: Vec<RegistryStatus>,
    pub request_id: String,
}

/// A registry's status, as the SDK's `RegistryStatus` reads it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct RegistryStatus {
    pub registry_id: String,
    /// `Running`: a registry is ready once `CreateInstance` answers.
    pub status: String,
    /// The steps of a registry's creation still under way: `[]`, there are none.
    pub conditions: Vec<RegistryCondition>,
}

/// A step of a registry's creation (the SDK's `RegistryCondition`); never listed here.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct RegistryCondition {
    #[serde(rename = "Type")]
    pub kind: String,
    pub status: String,
    pub reason: String,
}

/// `CheckInstanceName`: whether `CreateInstance` would take this name in the caller's
/// account.
#[derive(ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
#[schema(example = json!({"RegistryName": "team-registry"}))]
pub struct CheckInstanceNameRequest {
    pub registry_name: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct CheckInstanceNameResponse {
    /// true: the name follows the rule and no registry of the account holds it.
    pub is_validated: bool,
    /// Why not: 1 the name breaks the rule (5 to 50 characters of a-z, 0-9 and '-',
    /// starting with a letter, not ending with '-', without '--'), 3 a registry of the
    /// account holds it (Tencent's 2, a reserved name, is never answered: none is
    /// reserved). null when the name is free.
    #[schema(minimum = 1, maximum = 3)]
    pub detail_code: Option<i64>,
    pub request_id: String,
}

/// `CheckInstance`: whether the registry is one of the caller's account's, ready, and
/// where.
#[derive(ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
#[schema(example = json!({"RegistryId": "tcr-5zq3bc1x"}))]
pub struct CheckInstanceRequest {
    pub registry_id: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct CheckInstanceResponse {
    /// true: the registry is the caller's account's and running; false: it is not (an
    /// unknown id, or another account's).
    pub is_validated: bool,
    /// Tencent's id of the registry's region (as `DescribeInstances` shows it); null when
    /// not validated, or for a region outside the table.
    pub region_id: Option<i64>,
    pub request_id: String,
}
