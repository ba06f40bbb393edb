//! CreateInstanceToken, DescribeInstanceToken, ModifyInstanceToken, DeleteInstanceToken
//! on the wire.

use serde::Serialize;
use utoipa::ToSchema;

use crate::repo::tokens::{LONGTERM, TEMP};

/// `CreateInstanceToken`: a token of the caller's own, for logging in to the registry.
#[derive(ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
#[schema(example = json!({"RegistryId": "tcr-5zq3bc1x", "TokenType": "longterm", "Desc": "ci"}))]
pub struct CreateInstanceTokenRequest {
    pub registry_id: String,
    #[schema(default = "temp")]
    pub token_type: Option<TokenType>,
    /// At most 255 characters without control characters.
    #[schema(max_length = 255, pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$")]
    pub desc: Option<String>,
}

super::string_enum!(
    /// [`TEMP`] and [`LONGTERM`].
    TokenType = [TEMP, LONGTERM],
    "`temp` lasts `tokens.temp_lifetime_seconds`, `longterm` `tokens.longterm_lifetime_days` (a temporary key may not create one)."
);

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct CreateInstanceTokenResponse {
    /// The registry user name: the iam-svc user id.
    pub username: String,
    /// Shown this once.
    pub token: String,
    /// When it expires, in milliseconds since the epoch.
    pub exp_time: i64,
    /// A `longterm` token's id; `""` for a `temp` one.
    pub token_id: String,
    pub request_id: String,
}

/// `DescribeInstanceToken`: the registry's long-term tokens, oldest first.
#[derive(ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
#[schema(example = json!({"RegistryId": "tcr-5zq3bc1x", "Offset": 0, "Limit": 20}))]
pub struct DescribeInstanceTokenRequest {
    pub registry_id: String,
    #[schema(minimum = 0, default = 0)]
    pub offset: Option<i64>,
    #[schema(minimum = 1, maximum = 100, default = 20)]
    pub limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct DescribeInstanceTokenResponse {
    pub total_count: i64,
    pub tokens: Vec<TcrInstanceToken>,
    pub request_id: String,
}

/// A long-term token, as the SDK's `TcrInstanceToken` reads it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct TcrInstanceToken {
    pub id: String,
    pub desc: String,
    pub registry_id: String,
    /// false once disabled, and for good once revoked.
    pub enabled: bool,
    /// Like `2024-11-28T03:40:44+00:00`.
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Milliseconds since the epoch.
    pub expired_at: i64,
}

/// `ModifyInstanceToken`: `ModifyFlag` 1 sets `Desc` (then required), 2 (the default)
/// sets `Enable` (then required).
#[derive(ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
#[schema(example = json!({"TokenId": "ctrm3g86h7cp1kb7el2g", "RegistryId": "tcr-5zq3bc1x", "Enable": false, "Desc": "ci", "ModifyFlag": 2}))]
pub struct ModifyInstanceTokenRequest {
    pub token_id: String,
    pub registry_id: String,
    pub enable: Option<bool>,
    /// At most 255 characters without control characters.
    #[schema(max_length = 255, pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$")]
    pub desc: Option<String>,
    #[schema(minimum = 1, maximum = 2, default = 2)]
    pub modify_flag: Option<i64>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ModifyInstanceTokenResponse {
    pub request_id: String,
}

/// `DeleteInstanceToken`: a long-term token.
#[derive(ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
#[schema(example = json!({"RegistryId": "tcr-5zq3bc1x", "TokenId": "ctrm3g86h7cp1kb7el2g"}))]
pub struct DeleteInstanceTokenRequest {
    pub registry_id: String,
    pub token_id: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct DeleteInstanceTokenResponse {
    pub request_id: String,
}
