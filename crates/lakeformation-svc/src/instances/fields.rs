//! The vendor's rules for what describes an instance besides its name: its enterprise
//! project, specs and tags. Each rule lives here once; creates, updates and listing
//! filters call it, and its refusal says what the rule is.

use credential_core::names::{
    huawei_tag_key_ok, huawei_tag_value_ok, HUAWEI_TAGS_MAX, HUAWEI_TAG_RULE,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::LfError;

/// The enterprise project of an instance created without one: the default project.
pub const DEFAULT_ENTERPRISE_PROJECT: &str = "0";

/// At most this many tags on an instance (the vendor's limit).
pub const MAX_TAGS: usize = HUAWEI_TAGS_MAX;

/// At most this many specs on an instance, one per spec code.
pub const MAX_SPECS: usize = 10;

/// The smallest `stride_num` the vendor sells: 5 steps (of its QPS unit, say).
pub const MIN_STRIDE_NUM: i64 = 5;

/// LakeFormation's `CreateSpec`: a spec code and how many steps of it.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// Deprecated by the vendor; kept and echoed when sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^[A-Za-z0-9]{1,64}$")]
    pub product_id: Option<String>,
    /// For example `lakeformation.unit.basic.qps`; one spec per code.
    #[schema(pattern = "^[A-Za-z0-9._-]{1,128}$")]
    pub spec_code: String,
    /// At least 5, in steps of 1.
    #[schema(minimum = 5, maximum = 2147483647)]
    pub stride_num: i64,
}

/// LakeFormation's `ResourceTag`.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
#[schema(as = ResourceTag)]
pub struct Tag {
    /// 1–128 letters, digits, spaces and `_ . : / + - @`, not starting or ending with a
    /// space, not starting with `_sys_`; unique on an instance.
    #[schema(max_length = 128, min_length = 1)]
    pub key: String,
    /// 0–255 letters, digits, spaces and `_ . : / = + - @`.
    #[schema(max_length = 255)]
    pub value: String,
}

/// The refusal of a value that breaks `rule`.
fn invalid(rule: &str) -> LfError {
    LfError::BadRequest(rule.to_string())
}

/// An enterprise project id as a create names it: 1–64 letters, digits and `-`.
pub fn check_enterprise_project(id: &str) -> Result<(), LfError> {
    let ok =
        (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(invalid(
            "enterprise_project_id must be 1 to 64 letters, digits or hyphens.",
        ))
    }
}

/// The specs of an instance, valid and at most one per code.
pub fn check_specs(specs: &[Spec]) -> Result<(), LfError> {
    if specs.len() > MAX_SPECS {
        return Err(invalid("specs may hold at most 10 specs."));
    }
    for (n, spec) in specs.iter().enumerate() {
        let code_ok = (1..=128).contains(&spec.spec_code.len())
            && spec
                .spec_code
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
        if !code_ok {
            return Err(invalid(
                "spec_code must be 1 to 128 letters, digits, dots, underscores or hyphens.",
            ));
        }
        if !(MIN_STRIDE_NUM..=i64::from(i32::MAX)).contains(&spec.stride_num) {
            return Err(invalid("stride_num must be an integer of at least 5."));
        }
        let product_ok = spec.product_id.as_deref().is_none_or(|p| {
            (1..=64).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric())
        });
        if !product_ok {
            return Err(invalid("product_id must be 1 to 64 letters or digits."));
        }
        if specs[..n].iter().any(|s| s.spec_code == spec.spec_code) {
            return Err(LfError::BadRequest(format!(
                "The spec_code {} is given twice.",
                spec.spec_code
            )));
        }
    }
    Ok(())
}

/// A tag key's rule: the vendor's (`credential_core::names::huawei_tag_key_ok`) without
/// `=`, so that a listing's `tags` filter (`key=value,key`, split at the first `=`) reads
/// every key.
pub fn check_tag_key(key: &str) -> Result<(), LfError> {
    if huawei_tag_key_ok(key) && !key.contains('=') {
        Ok(())
    } else {
        Err(invalid(&format!(
            "Tag keys follow the rule: {HUAWEI_TAG_RULE}; and hold no =."
        )))
    }
}

/// A tag value's rule: the vendor's.
pub fn check_tag_value(value: &str) -> Result<(), LfError> {
    if huawei_tag_value_ok(value) {
        Ok(())
    } else {
        Err(invalid(&format!(
            "Tag values follow the rule: {HUAWEI_TAG_RULE}."
        )))
    }
}

/// The tags of an instance, valid and with unique keys, sorted by key: the order every
/// answer shows them in.
pub fn checked_tags(mut tags: Vec<Tag>) -> Result<Vec<Tag>, LfError> {
    if tags.len() > MAX_TAGS {
        return Err(invalid("tags may hold at most 20 tags."));
    }
    for tag in &tags {
        check_tag_key(&tag.key)?;
        check_tag_value(&tag.value)?;
    }
    tags.sort_by(|a, b| a.key.cmp(&b.key));
    if let Some(pair) = tags.windows(2).find(|w| w[0].key == w[1].key) {
        return Err(LfError::BadRequest(format!(
            "The tag key {} is given twice.",
            pair[0].key
        )));
    }
    Ok(tags)
}

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
    fn tags_follow_the_vendor_rule_and_come_back_sorted() {
        let ok = checked_tags(vec![tag("team/b", "x=y"), tag("env", ""), tag("ü:1", "@")]);
        let keys: Vec<String> = ok.unwrap().into_iter().map(|t| t.key).collect();
        assert_eq!(keys, ["env", "team/b", "ü:1"]);
        for bad in [
            vec![tag("", "v")],
            vec![tag(" k", "v")],
            vec![tag("k ", "v")],
            vec![tag("_sys_k", "v")],
            vec![tag("a=b", "v")],
            vec![tag("a,b", "v")],
            vec![tag("k", "a,b")],
            vec![tag("k", &"v".repeat(256))],
            vec![tag(&"k".repeat(129), "v")],
            vec![tag("k", "1"), tag("k", "2")],
            (0..21).map(|n| tag(&format!("k{n}"), "v")).collect(),
        ] {
            assert!(checked_tags(bad.clone()).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn specs_follow_the_vendor_rule() {
        let spec = |code: &str, n: i64| Spec {
            product_id: None,
            spec_code: code.into(),
            stride_num: n,
        };
        assert!(check_specs(&[spec("lakeformation.unit.basic.qps", 5)]).is_ok());
        for bad in [
            vec![spec("lakeformation.unit.basic.qps", 4)],
            vec![spec("", 5)],
            vec![spec("a b", 5)],
            vec![spec("a", i64::from(i32::MAX) + 1)],
            vec![spec("a", 5), spec("a", 6)],
        ] {
            assert!(check_specs(&bad).is_err(), "{bad:?}");
        }
        let with_product = Spec {
            product_id: Some("OFFI-1".into()),
            ..spec("a", 5)
        };
        assert!(check_specs(&[with_product]).is_err());
    }

    #[test]
    fn enterprise_projects_are_letters_digits_and_hyphens() {
        assert!(check_enterprise_project("0").is_ok());
        assert!(check_enterprise_project("0b0a3d3e-9b4c-4ed8-8f35-0d3e0b2a6f01").is_ok());
        for bad in ["", "all_granted_eps", "a b", &"x".repeat(65)] {
            assert!(check_enterprise_project(bad).is_err(), "{bad}");
        }
    }
}
