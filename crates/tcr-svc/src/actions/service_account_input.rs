//! What the service account actions take from a request, checked: the account a create
//! makes (with its random password), what a modify changes, which accounts a describe
//! lists, and the password a password change sets. The rules themselves are
//! [`crate::service_accounts`]'s.

use chrono::NaiveDateTime;
use credential_core::SecretString;
use serde_json::Value;
use service_kit::auth::Principal;

use crate::error::TcrError;
use crate::params::{has_only, Params};
use crate::repo::service_accounts::{AccountChanges, ServiceAccount};
use crate::service_accounts::expiry::{self, Expiry};
use crate::service_accounts::manage::NewAccount;
use crate::service_accounts::permissions::{self, Permission};
use crate::service_accounts::{name, password};

/// Default and largest page of `DescribeServiceAccounts` (a larger `Limit` is lowered).
const PAGE: i64 = 20;
const MAX_PAGE: i64 = 100;

fn required_permissions(p: &mut Params) -> Result<Vec<Permission>, TcrError> {
    let raw = p
        .optional_raw("Permissions")
        .ok_or_else(|| TcrError::MissingParameter("Permissions".into()))?;
    permissions::parse(raw)
}

fn stored_expiry(e: Expiry) -> Option<NaiveDateTime> {
    match e {
        Expiry::At(t) => Some(t),
        Expiry::Unset | Expiry::Never => None,
    }
}

/// The account a `CreateServiceAccount` by `caller` asks for at `now`, with a new random
/// password; its registry's service is filled in where the registry is read.
pub fn new_account(
    caller: &Principal,
    p: &mut Params,
    now: NaiveDateTime,
) -> Result<(SecretString, NewAccount), TcrError> {
    let registry_id = p.required_str("RegistryId")?;
    let name = name::login_name(&p.required_str("Name")?)?;
    let list = required_permissions(p)?;
    let description = p.optional_text("Description")?.unwrap_or_default();
    let expires = expiry::parse(
        p.optional_i64("Duration")?,
        p.optional_i64("ExpiresAt")?,
        now,
    )?;
    let disabled = p.optional_bool("Disable")?.unwrap_or(false);
    let (secret, digest) = password::random()?;
    let row = ServiceAccount {
        id: uuid::Uuid::new_v4().simple().to_string(),
        registry_id,
        registry_service: String::new(),
        name,
        description,
        password_digest: digest,
        permissions: permissions::to_stored(&list),
        disabled,
        expires_at: stored_expiry(expires),
        created_by: caller.user_id.clone(),
        created_at: now,
        updated_at: now,
        revoked_at: None,
    };
    let new = NewAccount {
        row,
        permissions: list,
    };
    Ok((secret, new))
}

/// Which accounts a `DescribeServiceAccounts` lists.
pub struct Listing {
    pub names: Option<Vec<String>>,
    pub offset: i64,
    /// `None`: all of them (`All: true`).
    pub limit: Option<i64>,
    pub embed: bool,
}

impl Listing {
    pub fn parse(p: &mut Params) -> Result<Listing, TcrError> {
        let all = p.optional_bool("All")?.unwrap_or(false);
        let embed = p.optional_bool("EmbedPermission")?.unwrap_or(false);
        let names = p
            .optional_raw("Filters")
            .map(name_filter)
            .transpose()?
            .flatten();
        let offset = p.optional_i64("Offset")?.unwrap_or(0);
        if offset < 0 {
            return Err(TcrError::InvalidParameterValue(
                "Offset must be at least 0.".into(),
            ));
        }
        let limit = match (all, p.optional_i64("Limit")?) {
            (true, Some(_)) => {
                return Err(TcrError::InvalidParameter(
                    "All lists every service account: leave Limit out.".into(),
                ))
            }
            (true, None) => None,
            (false, None) => Some(PAGE),
            (false, Some(n)) if n >= 1 => Some(n.min(MAX_PAGE)),
            (false, Some(_)) => {
                return Err(TcrError::InvalidParameterValue(
                    "Limit must be at least 1.".into(),
                ))
            }
        };
        Ok(Listing {
            names,
            offset,
            limit,
            embed,
        })
    }
}

/// `Filters: [{"Name": "ServiceAccountName", "Values": [...]}]`: names with or without
/// the prefix, any of the values; several filters are ANDed, and no filter keeps all.
fn name_filter(raw: Value) -> Result<Option<Vec<String>>, TcrError> {
    let bad = || {
        TcrError::InvalidParameter(
            "Filters must be a list of {\"Name\": \"ServiceAccountName\", \"Values\": [string]}."
                .into(),
        )
    };
    let Value::Array(items) = raw else {
        return Err(bad());
    };
    let mut names: Option<Vec<String>> = None;
    for item in items {
        if !has_only(&item, &["Name", "Values"]) {
            return Err(bad());
        }
        let (Some(Value::String(key)), Some(Value::Array(values))) =
            (item.get("Name"), item.get("Values"))
        else {
            return Err(bad());
        };
        if key != "ServiceAccountName" {
            return Err(TcrError::InvalidParameterValue(format!(
                "Unsupported filter {key}; use ServiceAccountName."
            )));
        }
        let values = values
            .iter()
            .map(|v| v.as_str().map(name::as_login_name).ok_or_else(bad))
            .collect::<Result<Vec<_>, _>>()?;
        names = Some(match names {
            Some(before) => before.into_iter().filter(|n| values.contains(n)).collect(),
            None => values,
        });
    }
    Ok(names)
}

/// What a `ModifyServiceAccount` at `now` changes; the permissions, to check against the
/// registry.
pub fn changes(
    p: &mut Params,
    now: NaiveDateTime,
) -> Result<(AccountChanges, Option<Vec<Permission>>), TcrError> {
    let description = p.optional_text("Description")?;
    let expires = expiry::parse(
        p.optional_i64("Duration")?,
        p.optional_i64("ExpiresAt")?,
        now,
    )?;
    let disabled = p.optional_bool("Disable")?;
    let list = p
        .optional_raw("Permissions")
        .map(permissions::parse)
        .transpose()?;
    let changes = AccountChanges {
        description,
        permissions: list.as_deref().map(permissions::to_stored),
        disabled,
        expires_at: match expires {
            Expiry::Unset => None,
            other => Some(stored_expiry(other)),
        },
        updated_at: Some(now),
        password_digest: None,
    };
    Ok((changes, list))
}

/// The password a `ModifyServiceAccountPassword` sets, and its digest: random with
/// `Random: true`, else the `Password` given (hashed slowly, off the request threads).
pub async fn new_password(
    random: bool,
    chosen: Option<SecretString>,
    iterations: u32,
) -> Result<(SecretString, String), TcrError> {
    match (random, chosen) {
        (true, None) => password::random(),
        (true, Some(_)) => Err(TcrError::InvalidParameter(
            "Password is taken only with Random false.".into(),
        )),
        (false, None) => Err(TcrError::MissingParameter("Password".into())),
        (false, Some(chosen)) => {
            password::check_chosen(&chosen)?;
            let to_hash = chosen.clone();
            let digest = actix_web::web::block(move || password::hash_chosen(&to_hash, iterations))
                .await
                .map_err(|e| TcrError::Internal(e.to_string()))??;
            Ok((chosen, digest))
        }
    }
}
