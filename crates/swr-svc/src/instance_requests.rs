//! What an instance or job request may say: the create and delete bodies
//! `huaweicloudsdkswr` sends, the vendor's rules on their fields, and the list queries.
//! A field is stored and answered back, or refused with a 400 that names it; none is
//! accepted and dropped. Nothing here reads the database; `domain::instances` and
//! `domain::jobs` call it.

use std::collections::HashMap;

use credential_core::names::{
    huawei_tag_key_ok, huawei_tag_value_ok, validate_swr_instance_name, validate_text,
    HUAWEI_TAGS_MAX, SWR_INSTANCE_NAME_RULE, TEXT_MAX,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::error::SwrError;

pub const SPEC: &str = "swr.ee.professional";
pub const CHARGE_MODE: &str = "postPaid";
/// The enterprise project of an instance created without one, as the vendor's.
pub const DEFAULT_ENTERPRISE_PROJECT: &str = "0";
/// The most resource tags an instance carries, as the vendor's tag service allows.
pub const MAX_TAGS: usize = HUAWEI_TAGS_MAX;

/// The SDK's `CreateInstanceRequestBody`. The network and billing fields are stored and
/// echoed, not acted on; no OBS bucket, key or intranet endpoint is made, so asking for
/// one is refused.
// The `#[schema]` limits state `check`'s rules, so generated requests meet both sides.
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = CreateInstanceBody)]
pub struct CreateBody {
    /// 3 to 48 characters of `a-z`, `0-9` and `-`, starting with a letter, not ending
    /// with `-`, without `--`; unique in the project.
    #[schema(min_length = 3, max_length = 48, pattern = "^[a-z](-?[a-z0-9])*$")]
    pub name: String,
    #[serde(default)]
    #[schema(max_length = 255, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")]
    pub description: Option<String>,
    /// The one spec offered; the default.
    #[serde(default)]
    #[schema(pattern = r"^swr\.ee\.professional$")]
    pub spec: Option<String>,
    #[serde(default)]
    #[schema(max_length = 64, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")]
    pub vpc_id: Option<String>,
    #[serde(default)]
    #[schema(max_length = 64, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")]
    pub subnet_id: Option<String>,
    /// The project of the VPC and subnet: the path's project, the only one the instance
    /// can be in; any other is refused.
    #[serde(default)]
    #[schema(max_length = 64, pattern = r"^[^\u0000]*$")]
    pub project_id: Option<String>,
    /// The one billing mode offered; the default.
    #[serde(default)]
    #[schema(pattern = "^postPaid$")]
    pub charge_mode: Option<String>,
    /// `0` by default; the instance list filters by it.
    #[serde(default)]
    #[schema(max_length = 64, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")]
    pub enterprise_project_id: Option<String>,
    /// Stored and answered by `GET /v2/{project_id}/instances/{instance_id}/tags`: at
    /// most 20, keys unique.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub resource_tags: Option<Vec<Tag>>,
    /// Only `false`: no OBS bucket is made, so none is encrypted.
    #[serde(default)]
    pub obs_encrypt: Option<bool>,
    /// Only empty: no OBS bucket is made.
    #[serde(default)]
    #[schema(max_length = 0)]
    pub encrypt_type: Option<String>,
    /// Only empty: images are stored where the operator's registry stores them.
    #[serde(default)]
    #[schema(max_length = 0)]
    pub obs_bucket_name: Option<String>,
    /// Only `false`: no intranet endpoint is made (none is, when left out, either).
    #[serde(default)]
    pub enable_intranet_access: Option<bool>,
    /// Only empty: no OBS bucket is made, so no key encrypts one.
    #[serde(default)]
    #[schema(max_length = 0)]
    pub obs_enc_kms_key_id: Option<String>,
    /// Read only to refuse it: the registry an instance fronts is the operator's
    /// (`registry.service` and `registry.address`), never the caller's. Not in the
    /// schema, which allows no other field.
    #[serde(default, deserialize_with = "crate::domain::present")]
    #[schema(ignore)]
    pub registry: Option<Value>,
}

/// A resource tag (`CreateInstanceRequestBodyResourceTags`, answered as `ResourceTag`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ResourceTag)]
pub struct Tag {
    /// 1 to 128 characters: letters, digits, spaces and `_ . : / = + - @`; not starting
    /// or ending with a space, not starting with `_sys_`.
    // The pattern is the ASCII part of the rule (letters of any script are taken too).
    #[schema(
        min_length = 1,
        max_length = 128,
        pattern = "^[A-Za-z0-9.:/=+@-]([A-Za-z0-9 _.:/=+@-]*[A-Za-z0-9_.:/=+@-])?$"
    )]
    pub key: String,
    /// 0 to 255 characters: letters, digits, spaces and `_ . : / = + - @`.
    #[schema(max_length = 255, pattern = "^[A-Za-z0-9 _.:/=+@-]*$")]
    pub value: String,
}

/// The body a delete may carry. No bucket or DNS record is ever made, so there is
/// nothing to keep: `false` (or leaving a flag out) says so, `true` is accepted too, as
/// what it asks for (that nothing of the instance is left) holds.
#[derive(Deserialize, Serialize, Default, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = DeleteInstanceBody)]
pub struct DeleteBody {
    #[serde(default)]
    delete_obs: Option<bool>,
    #[serde(default)]
    delete_dns: Option<bool>,
}

/// Free text of at most `max` characters: `credential_core::names::validate_text`.
fn checked_text(field: &str, value: &str, max: usize) -> Result<(), SwrError> {
    validate_text(value, max).map_err(|_| {
        SwrError::BadRequest(format!(
            "{field} must be at most {max} characters without control characters."
        ))
    })
}

/// `value` when given, else `default`; any other value than `default` is refused, since
/// the service offers one spec and one billing mode.
fn only_choice(field: &str, value: Option<&str>, default: &str) -> Result<(), SwrError> {
    match value {
        None => Ok(()),
        Some(v) if v == default => Ok(()),
        Some(_) => Err(SwrError::BadRequest(format!("{field} must be {default}."))),
    }
}

/// A setting that asks for a cloud resource swr-svc does not make: only its "none" value
/// (`false` or empty) is taken.
fn nothing_asked(field: &str, asks: bool, why: &str) -> Result<(), SwrError> {
    if asks {
        Err(SwrError::BadRequest(format!(
            "{field} is not supported: {why}."
        )))
    } else {
        Ok(())
    }
}

/// The vendor's tag rules (`credential_core::names::huawei_tag_key_ok` and
/// `huawei_tag_value_ok`); keys unique; at most [`MAX_TAGS`].
pub fn check_tags(tags: &[Tag]) -> Result<(), SwrError> {
    let refuse = |m: String| Err(SwrError::BadRequest(m));
    if tags.len() > MAX_TAGS {
        return refuse(format!("resource_tags may hold at most {MAX_TAGS} tags."));
    }
    for (i, tag) in tags.iter().enumerate() {
        let key = &tag.key;
        if !huawei_tag_key_ok(key) {
            return refuse(format!(
                "resource_tags[{i}].key must be 1 to 128 letters, digits, spaces and _.:/=+-@, not starting or ending with a space nor starting with _sys_."
            ));
        }
        if !huawei_tag_value_ok(&tag.value) {
            return refuse(format!(
                "resource_tags[{i}].value must be at most 255 letters, digits, spaces and _.:/=+-@."
            ));
        }
        if tags[..i].iter().any(|t| t.key == tag.key) {
            return refuse(format!("resource_tags[{i}].key repeats an earlier key."));
        }
    }
    Ok(())
}

impl CreateBody {
    /// Every rule on the body's fields, in the order they are checked; `path_project` is
    /// the project the instance is made in.
    pub fn check(&self, path_project: &str) -> Result<(), SwrError> {
        validate_swr_instance_name(&self.name).map_err(|_| {
            SwrError::BadRequest(format!("Invalid instance name: {SWR_INSTANCE_NAME_RULE}."))
        })?;
        only_choice("spec", self.spec.as_deref(), SPEC)?;
        only_choice("charge_mode", self.charge_mode.as_deref(), CHARGE_MODE)?;
        checked_text(
            "description",
            self.description.as_deref().unwrap_or_default(),
            TEXT_MAX,
        )?;
        if self.registry.is_some() {
            return Err(SwrError::BadRequest(
                "registry cannot be chosen: every instance fronts the registry the service is configured with.".into(),
            ));
        }
        for (field, value) in [
            ("vpc_id", &self.vpc_id),
            ("subnet_id", &self.subnet_id),
            ("enterprise_project_id", &self.enterprise_project_id),
        ] {
            checked_text(field, value.as_deref().unwrap_or_default(), 64)?;
        }
        if self
            .project_id
            .as_deref()
            .is_some_and(|p| p != path_project)
        {
            return Err(SwrError::BadRequest(
                "project_id must be the project in the path: the instance, its VPC and subnet are in it.".into(),
            ));
        }
        self.check_storage_and_network()?;
        check_tags(self.resource_tags.as_deref().unwrap_or_default())
    }

    /// The OBS and intranet settings: each asks for something swr-svc does not make.
    fn check_storage_and_network(&self) -> Result<(), SwrError> {
        let set = |v: &Option<String>| v.as_deref().is_some_and(|v| !v.is_empty());
        let no_bucket =
            "no OBS bucket is made; images are stored where the operator's registry stores them";
        nothing_asked("obs_bucket_name", set(&self.obs_bucket_name), no_bucket)?;
        nothing_asked("obs_encrypt", self.obs_encrypt == Some(true), no_bucket)?;
        nothing_asked("encrypt_type", set(&self.encrypt_type), no_bucket)?;
        nothing_asked(
            "obs_enc_kms_key_id",
            set(&self.obs_enc_kms_key_id),
            no_bucket,
        )?;
        nothing_asked(
            "enable_intranet_access",
            self.enable_intranet_access == Some(true),
            "no intranet endpoint is made; the instance is reached at its access_address",
        )
    }
}

/// An `enterprise_project_id` filter: what a create may store there.
pub fn check_enterprise_project(id: &str) -> Result<(), SwrError> {
    checked_text("enterprise_project_id", id, 64)
}

/// The value of `field` in the query, which must be one of `allowed` when given.
pub fn one_of<'q>(
    query: &'q HashMap<String, String>,
    field: &str,
    allowed: &[&str],
) -> Result<Option<&'q str>, SwrError> {
    match query.get(field) {
        None => Ok(None),
        Some(v) if allowed.contains(&v.as_str()) => Ok(Some(v)),
        Some(_) => Err(SwrError::BadRequest(format!(
            "{field} must be one of {}.",
            allowed.join(", ")
        ))),
    }
}

/// The instance statuses the vendor lists; swr-svc's instances are all `Running`.
pub const INSTANCE_STATUSES: [&str; 4] = ["Initial", "Creating", "Running", "Unavailable"];
/// The job statuses the vendor lists; swr-svc's jobs all end in `Success`.
pub const JOB_STATUSES: [&str; 5] = ["Creating", "Initializing", "Running", "Failed", "Success"];

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(key: &str, value: &str) -> Tag {
        Tag {
            key: key.into(),
            value: value.into(),
        }
    }

    #[test]
    fn tags_follow_the_vendors_rules() {
        assert!(check_tags(&[
            tag("env", "prod"),
            tag("team a", ""),
            tag("k:8=+-@/_.", "v w")
        ])
        .is_ok());
        assert!(check_tags(&[tag(&"k".repeat(128), &"v".repeat(255))]).is_ok());
        assert!(check_tags(&[tag("标签", "值")]).is_ok());
        for bad in [
            vec![tag("", "v")],
            vec![tag(&"k".repeat(129), "v")],
            vec![tag("k", &"v".repeat(256))],
            vec![tag(" k", "v")],
            vec![tag("k ", "v")],
            vec![tag("_sys_k", "v")],
            vec![tag("k\u{0}", "v")],
            vec![tag("k", "v\n")],
            vec![tag("a,b", "v")],
            vec![tag("k", "v"), tag("k", "w")],
            (0..=MAX_TAGS).map(|i| tag(&format!("k{i}"), "v")).collect(),
        ] {
            assert!(check_tags(&bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn instance_names_follow_the_vendor_rule() {
        let body = |name: &str| CreateBody {
            name: name.into(),
            description: None,
            spec: None,
            vpc_id: None,
            subnet_id: None,
            project_id: None,
            charge_mode: None,
            enterprise_project_id: None,
            resource_tags: None,
            obs_encrypt: None,
            encrypt_type: None,
            obs_bucket_name: None,
            enable_intranet_access: None,
            obs_enc_kms_key_id: None,
            registry: None,
        };
        for ok in ["abc", "my-registry-1", &format!("a{}", "b".repeat(47))] {
            assert!(body(ok).check("p").is_ok(), "{ok}");
        }
        for bad in ["ab", "1abc", "abc-", "a--b", "ABC", "a_b", &"a".repeat(49)] {
            assert!(body(bad).check("p").is_err(), "{bad}");
        }
    }
}
