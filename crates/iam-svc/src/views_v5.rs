//! IAM v5's answers about access keys, field for field as `huaweicloudsdkiam.v5` models
//! them (`AccessKey`, `AccessKeyMetadata`, `PageInfo`, `AccessKeyLastUsed`). Times are
//! UTC with milliseconds, `2026-01-02T03:04:05.000Z`.

use chrono::NaiveDateTime;
use serde::Serialize;
use utoipa::ToSchema;

use crate::repo::access_keys::AccessKey;

/// `2026-01-02T03:04:05.000Z`.
fn v5_time(t: NaiveDateTime) -> String {
    t.and_utc().format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// A key as a create answers it: with its secret, the only time it is shown.
#[derive(Serialize, ToSchema)]
pub struct CreatedAccessKey<'a> {
    /// The key's user.
    pub user_id: &'a str,
    /// The AK: 20 characters `[A-Z0-9]`.
    pub access_key_id: &'a str,
    /// When the key was made, `2026-01-02T03:04:05.000Z`.
    pub created_at: String,
    /// The SK: 40 characters `[A-Za-z0-9]`.
    pub secret_access_key: &'a str,
    /// `active` or `inactive`.
    #[schema(value_type = KeyStatus)]
    pub status: &'a str,
}

/// A key without its secret.
#[derive(Serialize, ToSchema)]
pub struct AccessKeyMetadata<'a> {
    pub user_id: &'a str,
    pub access_key_id: &'a str,
    pub created_at: String,
    #[schema(value_type = KeyStatus)]
    pub status: &'a str,
}

/// A key's status.
#[derive(Serialize, serde::Deserialize, ToSchema, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum KeyStatus {
    Active,
    Inactive,
}

impl KeyStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyStatus::Active => crate::repo::access_keys::ACTIVE,
            KeyStatus::Inactive => crate::repo::access_keys::INACTIVE,
        }
    }
}

/// `{"access_key": {...}}` of a create.
#[derive(Serialize, ToSchema)]
pub struct CreateAccessKeyV5Answer<'a> {
    pub access_key: CreatedAccessKey<'a>,
}

/// `{"access_key": {...}}` of an update.
#[derive(Serialize, ToSchema)]
pub struct UpdateAccessKeyV5Answer<'a> {
    pub access_key: AccessKeyMetadata<'a>,
}

/// Where a list page ends.
#[derive(Serialize, ToSchema)]
pub struct PageInfo {
    /// The `marker` of the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_marker: Option<String>,
    /// How many keys this page holds.
    pub current_count: usize,
}

/// A page of a user's keys.
#[derive(Serialize, ToSchema)]
pub struct ListAccessKeysV5Answer<'a> {
    pub access_keys: Vec<AccessKeyMetadata<'a>>,
    pub page_info: PageInfo,
}

/// When a key was last used.
#[derive(Serialize, ToSchema)]
pub struct AccessKeyLastUsed {
    /// The start of the minute of the key's last accepted signature; absent if it never
    /// signed a request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_used_at: Option<String>,
}

/// `{"access_key_last_used": {...}}`.
#[derive(Serialize, ToSchema)]
pub struct ShowAccessKeyLastUsedV5Answer {
    pub access_key_last_used: AccessKeyLastUsed,
}

pub fn created<'a>(k: &'a AccessKey, secret: &'a str) -> CreatedAccessKey<'a> {
    CreatedAccessKey {
        user_id: &k.user_id,
        access_key_id: &k.access,
        created_at: v5_time(k.created_at),
        secret_access_key: secret,
        status: &k.status,
    }
}

pub fn metadata(k: &AccessKey) -> AccessKeyMetadata<'_> {
    AccessKeyMetadata {
        user_id: &k.user_id,
        access_key_id: &k.access,
        created_at: v5_time(k.created_at),
        status: &k.status,
    }
}

pub fn last_used(k: &AccessKey) -> ShowAccessKeyLastUsedV5Answer {
    ShowAccessKeyLastUsedV5Answer {
        access_key_last_used: AccessKeyLastUsed {
            last_used_at: k.last_used_at.map(v5_time),
        },
    }
}
