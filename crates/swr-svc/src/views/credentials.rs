//! Registry credentials as `huaweicloudsdkswr` reads them
//! (`CreateInstanceLtCredentialResponse`, `AuthToken`). The auth_token appears in
//! [`IssuedView`] alone: it is shown once, at creation.

use chrono::NaiveDateTime;
use serde::Serialize;
use utoipa::ToSchema;

use super::swr_time;
use crate::domain::credentials::Issued;
use crate::repo::credentials::Credential;

/// A new credential with its auth_token (long-term or temporary).
#[derive(Serialize, ToSchema)]
#[schema(as = IssuedCredential)]
pub struct IssuedView<'a> {
    /// The registry password: `swr_`, 43 base62 characters and a 6-character checksum.
    #[schema(pattern = "^swr_[0-9A-Za-z]{49}$")]
    pub auth_token: &'a str,
    #[schema(format = DateTime, example = "2023-10-20T15:30:00Z")]
    pub created_at: String,
    #[schema(format = DateTime, example = "2024-10-19T15:30:00Z")]
    pub expire_date: String,
    /// The credential's id (`credential_id` in its paths).
    pub token_id: &'a str,
    /// The caller's iam-svc user id: the registry user name.
    pub user_id: &'a str,
}

impl<'a> IssuedView<'a> {
    pub fn of(issued: &'a Issued) -> Self {
        let row = &issued.credential;
        IssuedView {
            auth_token: issued.token.expose(),
            created_at: swr_time(row.created_at),
            expire_date: swr_time(row.expires_at),
            token_id: &row.id,
            user_id: &row.user_id,
        }
    }
}

/// Whether a credential logs in, and if not, why.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CredentialStatus {
    Active,
    /// Its owner or an admin disabled it (`enable` is false).
    Disabled,
    Expired,
    /// Its user or project was removed from iam-svc; nothing undoes it.
    Revoked,
}

impl CredentialStatus {
    fn of(c: &Credential, now: NaiveDateTime) -> Self {
        if c.revoked_at.is_some() {
            CredentialStatus::Revoked
        } else if c.expires_at <= now {
            CredentialStatus::Expired
        } else if c.enabled {
            CredentialStatus::Active
        } else {
            CredentialStatus::Disabled
        }
    }
}

/// A listed long-term credential, without its auth_token.
#[derive(Serialize, ToSchema)]
#[schema(as = AuthToken)]
pub struct CredentialView<'a> {
    pub token_id: &'a str,
    pub name: &'a str,
    pub user_id: &'a str,
    pub instance_id: &'a str,
    pub enable: bool,
    #[schema(format = DateTime, example = "2023-10-20T15:30:00Z")]
    pub created_at: String,
    #[schema(format = DateTime, example = "2024-10-19T15:30:00Z")]
    pub expire_date: String,
    /// The owner's user name.
    pub user_profile: &'a str,
    pub status: CredentialStatus,
}

impl<'a> CredentialView<'a> {
    pub fn of(c: &'a Credential, now: NaiveDateTime) -> Self {
        CredentialView {
            token_id: &c.id,
            name: &c.name,
            user_id: &c.user_id,
            instance_id: &c.instance_id,
            enable: c.enabled,
            created_at: swr_time(c.created_at),
            expire_date: swr_time(c.expires_at),
            user_profile: &c.user_name,
            status: CredentialStatus::of(c, now),
        }
    }
}

/// A page of an instance's long-term credentials, oldest first.
#[derive(Serialize, ToSchema)]
#[schema(as = ListInstanceLtCredentialsResponse)]
pub struct CredentialPage<'a> {
    /// Every match, not the page's size.
    pub total: i64,
    pub auth_tokens: Vec<CredentialView<'a>>,
}

impl<'a> CredentialPage<'a> {
    /// The page of `rows`, each's status as of `now`.
    pub fn of(rows: &'a [Credential], total: i64, now: NaiveDateTime) -> Self {
        CredentialPage {
            total,
            auth_tokens: rows.iter().map(|c| CredentialView::of(c, now)).collect(),
        }
    }
}
