//! CreateServiceAccount, DescribeServiceAccounts, ModifyServiceAccount,
//! ModifyServiceAccountPassword, DeleteServiceAccount on the wire.

use serde::Serialize;
use utoipa::ToSchema;

use crate::service_accounts::permissions::Permission;

/// `CreateServiceAccount`: a robot login (`tcr$<Name>`) of the registry.
#[derive(ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
#[schema(example = json!({"RegistryId": "tcr-5zq3bc1x", "Name": "ci-bot", "Permissions": [{"Resource": "team-a", "Actions": ["tcr:PushRepository", "tcr:PullRepository"]}], "Description": "CI pushes", "Duration": 30, "ExpiresAt": -1, "Disable": false}))]
pub struct CreateServiceAccountRequest {
    pub registry_id: String,
    /// 1 to 60 characters of a-z and 0-9, separated by single '.', '_' or '-', with or
    /// without the `tcr$` prefix.
    #[schema(
        min_length = 1,
        max_length = 64,
        pattern = r"^(tcr\$)?[a-z0-9]+([._-][a-z0-9]+)*$"
    )]
    pub name: String,
    /// 1 to 500 distinct namespaces of the registry.
    #[schema(min_items = 1, max_items = 500)]
    pub permissions: Vec<Permission>,
    /// At most 255 characters without control characters.
    #[schema(max_length = 255, pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$")]
    pub description: Option<String>,
    /// Days from now; wins over `ExpiresAt`.
    #[schema(minimum = 1, maximum = 36500)]
    pub duration: Option<i64>,
    /// Milliseconds since the epoch, after now and within 36500 days; -1: never. With
    /// neither, never.
    #[schema(minimum = -1)]
    pub expires_at: Option<i64>,
    #[schema(default = false)]
    pub disable: Option<bool>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct CreateServiceAccountResponse {
    /// `tcr$<Name>`: the registry login.
    pub name: String,
    /// 32 characters of A-Z, a-z and 0-9; shown this once.
    pub password: String,
    /// Milliseconds since the epoch; -1: never.
    pub expires_at: i64,
    /// Like `2024-11-28T03:40:44+00:00`.
    #[schema(format = DateTime)]
    pub create_time: String,
    pub request_id: String,
}

/// `DescribeServiceAccounts`: the registry's service accounts, oldest first.
#[derive(ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
#[schema(example = json!({"RegistryId": "tcr-5zq3bc1x", "All": false, "EmbedPermission": true, "Filters": [{"Name": "ServiceAccountName", "Values": ["ci-bot"]}], "Offset": 0, "Limit": 20}))]
pub struct DescribeServiceAccountsRequest {
    pub registry_id: String,
    /// true: every account from `Offset`; `Limit` must then be left out.
    #[schema(default = false)]
    pub all: Option<bool>,
    /// true: each account's `Permissions`; else they are null.
    #[schema(default = false)]
    pub embed_permission: Option<bool>,
    /// ANDed; the values of one filter are ORed.
    pub filters: Option<Vec<AccountFilter>>,
    #[schema(minimum = 0, default = 0)]
    pub offset: Option<i64>,
    /// Above 100 is lowered to 100.
    #[schema(minimum = 1, default = 20)]
    pub limit: Option<i64>,
}

/// A filter of `DescribeServiceAccounts`: names with or without the prefix.
#[derive(ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct AccountFilter {
    pub name: AccountFilterName,
    pub values: Vec<String>,
}

#[derive(ToSchema)]
pub enum AccountFilterName {
    ServiceAccountName,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct DescribeServiceAccountsResponse {
    pub service_accounts: Vec<ServiceAccount>,
    /// All the accounts the filters match, whatever the page.
    pub total_count: i64,
    pub request_id: String,
}

/// A service account, as the SDK's `ServiceAccount` reads it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ServiceAccount {
    /// `tcr$<Name>`.
    pub name: String,
    pub description: String,
    /// true once disabled, and for good once revoked.
    pub disable: bool,
    /// Milliseconds since the epoch; -1: never.
    pub expires_at: i64,
    /// Like `2024-11-28T03:40:44+00:00`.
    #[schema(format = DateTime)]
    pub create_time: String,
    /// Like `2024-11-28T03:40:44+00:00`.
    #[schema(format = DateTime)]
    pub update_time: String,
    /// As set; null unless `EmbedPermission`.
    pub permissions: Option<Vec<Permission>>,
}

/// `ModifyServiceAccount`: what is sent changes, the rest stays.
#[derive(ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
#[schema(example = json!({"RegistryId": "tcr-5zq3bc1x", "Name": "tcr$ci-bot", "Description": "CI pushes", "Duration": 60, "ExpiresAt": -1, "Disable": false, "Permissions": [{"Resource": "team-a", "Actions": ["tcr:PushRepository", "tcr:PullRepository"]}]}))]
pub struct ModifyServiceAccountRequest {
    pub registry_id: String,
    #[schema(
        min_length = 1,
        max_length = 64,
        pattern = r"^(tcr\$)?[a-z0-9]+([._-][a-z0-9]+)*$"
    )]
    pub name: String,
    #[schema(max_length = 255, pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$")]
    pub description: Option<String>,
    /// Days from now; wins over `ExpiresAt`.
    #[schema(minimum = 1, maximum = 36500)]
    pub duration: Option<i64>,
    /// Milliseconds since the epoch, after now and within 36500 days; -1: never.
    #[schema(minimum = -1)]
    pub expires_at: Option<i64>,
    pub disable: Option<bool>,
    /// Replaces them: 1 to 500 distinct namespaces of the registry.
    #[schema(min_items = 1, max_items = 500)]
    pub permissions: Option<Vec<Permission>>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ModifyServiceAccountResponse {
    pub request_id: String,
}

/// `ModifyServiceAccountPassword`: a random password, or the one given.
#[derive(ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
#[schema(example = json!({"RegistryId": "tcr-5zq3bc1x", "Name": "ci-bot", "Random": false, "Password": "Chosen1234"}))]
pub struct ModifyServiceAccountPasswordRequest {
    pub registry_id: String,
    #[schema(
        min_length = 1,
        max_length = 64,
        pattern = r"^(tcr\$)?[a-z0-9]+([._-][a-z0-9]+)*$"
    )]
    pub name: String,
    /// true: a random password (then `Password` must be left out); false: `Password`.
    #[schema(default = false)]
    pub random: Option<bool>,
    /// 8 to 20 printable ASCII characters with an upper-case letter, a lower-case letter
    /// and a digit; only with `Random` false.
    #[schema(min_length = 8, max_length = 20, pattern = "^[!-~]*$")]
    pub password: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ModifyServiceAccountPasswordResponse {
    /// The password set, shown this once.
    pub password: String,
    pub request_id: String,
}

/// `DeleteServiceAccount`.
#[derive(ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
#[schema(example = json!({"RegistryId": "tcr-5zq3bc1x", "Name": "ci-bot"}))]
pub struct DeleteServiceAccountRequest {
    pub registry_id: String,
    #[schema(
        min_length = 1,
        max_length = 64,
        pattern = r"^(tcr\$)?[a-z0-9]+([._-][a-z0-9]+)*$"
    )]
    pub name: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct DeleteServiceAccountResponse {
    pub request_id: String,
}
