//! CreateNamespace, DescribeNamespaces, ModifyNamespace, DeleteNamespace and
//! DescribeInstanceAllNamespaces on the wire.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::instances::KeyValue;
use crate::actions::namespace_input::{SEVERITIES, TAG_RESOURCE_TYPE};

/// `CreateNamespace`: a namespace of the registry, with its settings stored.
#[derive(ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
#[schema(example = json!({"RegistryId": "tcr-5zq3bc1x", "NamespaceName": "team-a", "IsPublic": false, "IsAutoScan": true, "IsPreventVUL": true, "Severity": "high", "CVEWhitelistItems": [{"CVEID": "CVE-2024-1234"}], "TagSpecification": {"ResourceType": "namespace", "Tags": [{"Key": "env", "Value": "prod"}]}}))]
pub struct CreateNamespaceRequest {
    pub registry_id: String,
    /// 2 to 30 characters of a-z, 0-9 and the separators '.', '_' and '-', neither
    /// starting nor ending with a separator nor holding two in a row; unique among the
    /// registries that front the same registry service.
    #[schema(
        min_length = 2,
        max_length = 30,
        pattern = "^[a-z0-9]+([._-][a-z0-9]+)*$"
    )]
    pub namespace_name: String,
    pub is_public: bool,
    #[schema(default = false)]
    pub is_auto_scan: Option<bool>,
    #[schema(default = false)]
    #[serde(rename = "IsPreventVUL")]
    pub is_prevent_vul: Option<bool>,
    pub severity: Option<Severity>,
    #[serde(rename = "CVEWhitelistItems")]
    #[schema(max_items = 1000)]
    pub cve_whitelist_items: Option<Vec<CveWhitelistItem>>,
    pub tag_specification: Option<TagSpecification>,
}

super::string_enum!(
    /// [`SEVERITIES`].
    Severity = SEVERITIES,
    "The least severity that blocks a pull (with `IsPreventVUL`); `\"\"`: none."
);

/// A CVE the scan lets through; the ids of a list are distinct.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CveWhitelistItem {
    /// 1 to 64 characters without control characters.
    #[serde(rename = "CVEID")]
    #[schema(
        min_length = 1,
        max_length = 64,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$"
    )]
    pub cve_id: String,
}

/// A namespace's cloud tags.
#[derive(ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct TagSpecification {
    /// The tags are the namespace's.
    pub resource_type: Option<TagResourceType>,
    /// At most 50, of distinct keys.
    #[schema(max_items = 50)]
    pub tags: Option<Vec<Tag>>,
}

super::string_enum!(
    /// [`TAG_RESOURCE_TYPE`].
    TagResourceType = [TAG_RESOURCE_TYPE],
    "The tags are the namespace's."
);

/// A cloud tag as sent.
#[derive(ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Tag {
    /// 1 to 127 characters without control characters.
    #[schema(
        min_length = 1,
        max_length = 127,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$"
    )]
    pub key: String,
    /// At most 255 characters without control characters.
    #[schema(max_length = 255, pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$")]
    pub value: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct CreateNamespaceResponse {
    pub request_id: String,
}

/// `DescribeNamespaces`: the registry's namespaces, by name.
#[derive(ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
#[schema(example = json!({"RegistryId": "tcr-5zq3bc1x", "NamespaceName": "team-a", "All": false, "Offset": 0, "Limit": 20, "KmsSignPolicy": false, "Filters": [{"Name": "Tags", "Values": ["env:prod"]}]}))]
pub struct DescribeNamespacesRequest {
    pub registry_id: String,
    /// That name only, exactly.
    pub namespace_name: Option<String>,
    /// true: every namespace from `Offset` (`Limit` is checked, then ignored).
    #[schema(default = false)]
    pub all: Option<bool>,
    /// Rows skipped.
    #[schema(minimum = 0, default = 0)]
    pub offset: Option<i64>,
    #[schema(minimum = 1, maximum = 1000, default = 20)]
    pub limit: Option<i64>,
    /// true lists none: no namespace here has a KMS signature policy.
    #[schema(default = false)]
    pub kms_sign_policy: Option<bool>,
    /// ANDed: namespaces holding one of each filter's tags exactly.
    pub filters: Option<Vec<TagFilter>>,
}

/// Tencent's one filter of `DescribeNamespaces`.
#[derive(ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct TagFilter {
    pub name: TagFilterName,
    /// `key:value` (the key is what comes before the first ':'), ORed.
    #[schema(min_items = 1, max_items = 50)]
    pub values: Vec<String>,
}

#[derive(ToSchema)]
pub enum TagFilterName {
    Tags,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct DescribeNamespacesResponse {
    pub namespace_list: Vec<TcrNamespaceInfo>,
    /// All the namespaces the request matches, whatever the page.
    pub total_count: i64,
    pub request_id: String,
}

/// A namespace, as the SDK's `TcrNamespaceInfo` reads it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct TcrNamespaceInfo {
    pub name: String,
    /// Like `2024-11-28T03:40:44+00:00`.
    #[schema(format = DateTime)]
    pub creation_time: String,
    pub public: bool,
    pub namespace_id: i64,
    pub tag_specification: NamespaceTags,
    /// Always empty.
    pub metadata: Vec<KeyValue>,
    #[serde(rename = "CVEWhitelistItems")]
    pub cve_whitelist_items: Vec<CveWhitelistItem>,
    pub auto_scan: bool,
    #[serde(rename = "PreventVUL")]
    pub prevent_vul: bool,
    /// `low`, `medium`, `high`, or `""`: none.
    pub severity: String,
}

/// A namespace's tags, as stored.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct NamespaceTags {
    /// Always `namespace`.
    pub resource_type: &'static str,
    pub tags: Vec<KeyValue>,
}

/// `ModifyNamespace`: each setting sent replaces what is stored; the others stay.
#[derive(ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
#[schema(example = json!({"RegistryId": "tcr-5zq3bc1x", "NamespaceName": "team-a", "IsPublic": true, "IsAutoScan": false, "IsPreventVUL": false, "Severity": "", "CVEWhitelistItems": [], "TagSpecification": {"ResourceType": "namespace", "Tags": [{"Key": "env", "Value": "prod"}]}}))]
pub struct ModifyNamespaceRequest {
    pub registry_id: String,
    #[schema(
        min_length = 2,
        max_length = 30,
        pattern = "^[a-z0-9]+([._-][a-z0-9]+)*$"
    )]
    pub namespace_name: String,
    pub is_public: Option<bool>,
    pub is_auto_scan: Option<bool>,
    #[serde(rename = "IsPreventVUL")]
    pub is_prevent_vul: Option<bool>,
    pub severity: Option<Severity>,
    #[serde(rename = "CVEWhitelistItems")]
    #[schema(max_items = 1000)]
    pub cve_whitelist_items: Option<Vec<CveWhitelistItem>>,
    pub tag_specification: Option<TagSpecification>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ModifyNamespaceResponse {
    pub request_id: String,
}

/// `DeleteNamespace`: the namespace keeps its name (its registry may create it again).
#[derive(ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
#[schema(example = json!({"RegistryId": "tcr-5zq3bc1x", "NamespaceName": "team-a"}))]
pub struct DeleteNamespaceRequest {
    pub registry_id: String,
    #[schema(
        min_length = 2,
        max_length = 30,
        pattern = "^[a-z0-9]+([._-][a-z0-9]+)*$"
    )]
    pub namespace_name: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct DeleteNamespaceResponse {
    pub request_id: String,
}

/// `DescribeInstanceAllNamespaces`: the namespaces of every registry of the account.
#[derive(ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
#[schema(example = json!({"Offset": 0, "Limit": 20}))]
pub struct DescribeInstanceAllNamespacesRequest {
    #[schema(minimum = 0, default = 0)]
    pub offset: Option<i64>,
    #[schema(minimum = 1, maximum = 1000, default = 20)]
    pub limit: Option<i64>,
}

/// The SDK's model reads only `RequestId`; the list is there for clients that read the JSON.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct DescribeInstanceAllNamespacesResponse {
    pub namespace_list: Vec<AccountNamespace>,
    pub total_count: i64,
    pub request_id: String,
}

/// A namespace of the account, by registry and name.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct AccountNamespace {
    pub namespace: String,
    /// Like `2024-11-28T03:40:44+00:00`.
    #[schema(format = DateTime)]
    pub creation_time: String,
    pub registry_id: String,
}
