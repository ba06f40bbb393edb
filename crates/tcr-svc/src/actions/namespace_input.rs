//! What the namespace actions take from a request, checked: the vendor's name rule and the
//! settings a namespace stores (visibility, scanning, the CVE allowlist, cloud tags). A
//! nested field this service does not know is refused, never dropped.

use credential_core::names::{validate_swr_credential_name, validate_text};
use serde_json::{json, Map, Value};

use crate::error::TcrError;
use crate::params::Params;
use crate::repo::namespaces::Settings;

pub const SEVERITIES: [&str; 4] = ["", "low", "medium", "high"];
/// Tencent's limits on cloud tags.
const MAX_TAGS: usize = 50;
const MAX_TAG_KEY: usize = 127;
const MAX_TAG_VALUE: usize = 255;
const MAX_CVES: usize = 1000;
const MAX_CVE_ID: usize = 64;
/// The only resource type a namespace's tags may name.
pub const TAG_RESOURCE_TYPE: &str = "namespace";

/// 2 to 30 characters of `[a-z0-9._-]`, neither starting nor ending with a separator, and
/// no two separators in a row: the registry's rule for a repository name's component
/// (`credential_core::names`, which SWR credential and TCR service account names follow
/// too), at the vendor's lengths.
pub fn valid_name(name: &str) -> bool {
    (2..=30).contains(&name.len()) && validate_swr_credential_name(name).is_ok()
}

/// The required `NamespaceName`, which must follow the rule.
pub fn name(p: &mut Params) -> Result<String, TcrError> {
    let name = p.required_str("NamespaceName")?;
    if valid_name(&name) {
        Ok(name)
    } else {
        Err(TcrError::InvalidNamespaceName)
    }
}

/// The settings a `CreateNamespace` (`IsPublic` required) or `ModifyNamespace` (every one
/// optional) sends.
pub fn settings(p: &mut Params, creating: bool) -> Result<Settings, TcrError> {
    let public = p.optional_bool("IsPublic")?;
    if creating && public.is_none() {
        return Err(TcrError::MissingParameter("IsPublic".into()));
    }
    let severity = p.optional_str("Severity")?;
    if let Some(s) = &severity {
        if !SEVERITIES.contains(&s.as_str()) {
            return Err(TcrError::InvalidParameterValue(
                "Severity must be low, medium or high (or empty for none).".into(),
            ));
        }
    }
    Ok(Settings {
        public,
        auto_scan: p.optional_bool("IsAutoScan")?,
        prevent_vul: p.optional_bool("IsPreventVUL")?,
        severity,
        cve_whitelist: p.optional_raw("CVEWhitelistItems").map(cves).transpose()?,
        tags: p.optional_raw("TagSpecification").map(tags).transpose()?,
    })
}

fn invalid(message: &str) -> TcrError {
    TcrError::InvalidParameter(message.to_string())
}

/// An object with exactly these fields (each may be missing), or the error `message`.
fn fields<'v>(
    value: &'v Value,
    known: &[&str],
    message: &str,
) -> Result<&'v Map<String, Value>, TcrError> {
    match value {
        Value::Object(m) if m.keys().all(|k| known.contains(&k.as_str())) => Ok(m),
        _ => Err(invalid(message)),
    }
}

/// A text of at most `max` characters without control characters, and not empty unless
/// `allow_empty`.
fn text(value: Option<&Value>, max: usize, allow_empty: bool) -> Option<String> {
    match value {
        Some(Value::String(s))
            if (allow_empty || !s.is_empty()) && validate_text(s, max).is_ok() =>
        {
            Some(s.clone())
        }
        _ => None,
    }
}

/// `CVEWhitelistItems: [{"CVEID": "CVE-2024-1234"}]`, stored as that JSON.
fn cves(raw: Value) -> Result<String, TcrError> {
    const BAD: &str = "CVEWhitelistItems must be a list of {\"CVEID\": string} with distinct ids of 1 to 64 characters, at most 1000.";
    let Value::Array(items) = raw else {
        return Err(invalid(BAD));
    };
    if items.len() > MAX_CVES {
        return Err(invalid(BAD));
    }
    let mut ids: Vec<String> = Vec::with_capacity(items.len());
    for item in &items {
        let m = fields(item, &["CVEID"], BAD)?;
        let id = text(m.get("CVEID"), MAX_CVE_ID, false).ok_or_else(|| invalid(BAD))?;
        if ids.contains(&id) {
            return Err(invalid(BAD));
        }
        ids.push(id);
    }
    let list: Vec<Value> = ids.into_iter().map(|id| json!({ "CVEID": id })).collect();
    Ok(Value::Array(list).to_string())
}

/// A namespace's `TagSpecification` ([`tags_of`] for `namespace`).
fn tags(raw: Value) -> Result<String, TcrError> {
    tags_of(raw, TAG_RESOURCE_TYPE)
}

/// `TagSpecification: {"ResourceType": <resource_type>, "Tags": [{"Key", "Value"}]}` (the
/// type may be left out), within Tencent's limits on cloud tags; the tags are stored as
/// that JSON list.
pub fn tags_of(raw: Value, resource_type: &str) -> Result<String, TcrError> {
    let bad = format!("TagSpecification must be {{\"ResourceType\": \"{resource_type}\", \"Tags\": [{{\"Key\": string, \"Value\": string}}]}}, with at most 50 tags of distinct keys (1 to 127 characters) and values of at most 255 characters.");
    let bad = bad.as_str();
    let spec = fields(&raw, &["ResourceType", "Tags"], bad)?;
    match spec.get("ResourceType") {
        None | Some(Value::Null) => {}
        Some(Value::String(t)) if t == resource_type => {}
        Some(_) => {
            return Err(TcrError::InvalidParameter(format!(
                "TagSpecification.ResourceType must be {resource_type}: the tags are the {resource_type}'s."
            )))
        }
    }
    let items = match spec.get("Tags") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) if items.len() <= MAX_TAGS => items.clone(),
        Some(_) => return Err(invalid(bad)),
    };
    let mut tags: Vec<(String, String)> = Vec::with_capacity(items.len());
    for item in &items {
        let m = fields(item, &["Key", "Value"], bad)?;
        let key = text(m.get("Key"), MAX_TAG_KEY, false).ok_or_else(|| invalid(bad))?;
        let value = text(m.get("Value"), MAX_TAG_VALUE, true).ok_or_else(|| invalid(bad))?;
        if tags.iter().any(|(k, _)| *k == key) {
            return Err(invalid(bad));
        }
        tags.push((key, value));
    }
    let list: Vec<Value> = tags
        .into_iter()
        .map(|(k, v)| json!({ "Key": k, "Value": v }))
        .collect();
    Ok(Value::Array(list).to_string())
}

/// The one filter Tencent documents for `DescribeNamespaces`: `{"Name": "Tags", "Values":
/// ["key:value", ...]}`, whose values are ORed; filters are ANDed. Each value becomes the
/// tag as stored. Any other filter is refused, never ignored.
pub fn tag_filters(raw: Value) -> Result<Vec<Vec<String>>, TcrError> {
    const BAD: &str = "Filters must be a list of {\"Name\": \"Tags\", \"Values\": [\"key:value\", ...]} with at least one value each.";
    let Value::Array(items) = raw else {
        return Err(invalid(BAD));
    };
    let mut sets = Vec::with_capacity(items.len());
    for item in &items {
        let m = fields(item, &["Name", "Values"], BAD)?;
        let (Some(Value::String(name)), Some(Value::Array(values))) =
            (m.get("Name"), m.get("Values"))
        else {
            return Err(invalid(BAD));
        };
        if name != "Tags" {
            return Err(TcrError::InvalidParameterValue(format!(
                "Unsupported filter {name}; DescribeNamespaces filters by Tags only."
            )));
        }
        if values.is_empty() || values.len() > MAX_TAGS {
            return Err(invalid(BAD));
        }
        let mut set = Vec::with_capacity(values.len());
        for value in values {
            let (key, value) = value
                .as_str()
                .and_then(|v| v.split_once(':'))
                .ok_or_else(|| invalid(BAD))?;
            set.push(json!({ "Key": key, "Value": value }).to_string());
        }
        sets.push(set);
    }
    Ok(sets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespace_names_follow_the_vendor_rule() {
        for ok in ["ab", "team-a", "a.b_c-d", "0x", &"a".repeat(30)] {
            assert!(valid_name(ok), "{ok}");
        }
        let long = "a".repeat(31);
        for bad in [
            "a", "", "-ab", "ab-", ".ab", "ab_", "a--b", "a._b", "Ab", "a b", "a/b", "ä", &long,
        ] {
            assert!(!valid_name(bad), "{bad}");
        }
    }

    #[test]
    fn nested_fields_are_checked_and_unknown_ones_refused() {
        let ok = tags(json!({"ResourceType": "namespace", "Tags": [{"Key": "k", "Value": ""}]}));
        assert_eq!(ok.unwrap(), r#"[{"Key":"k","Value":""}]"#);
        for bad in [
            json!({"ResourceType": "instance", "Tags": []}),
            json!({"Tags": [{"Key": "k", "Value": "v", "Extra": 1}]}),
            json!({"Tags": [{"Key": "", "Value": "v"}]}),
            json!({"Tags": [{"Key": "k", "Value": "v"}, {"Key": "k", "Value": "w"}]}),
            json!({"Other": 1}),
            json!([]),
        ] {
            assert!(tags(bad.clone()).is_err(), "{bad}");
        }
        // A tag filter looks for the element exactly as the tags are stored.
        let stored = tags(json!({"Tags": [{"Key": "env", "Value": "a:b"}]})).unwrap();
        let sets = tag_filters(json!([{"Name": "Tags", "Values": ["env:a:b"]}])).unwrap();
        assert_eq!(stored, format!("[{}]", sets[0][0]));
        for bad in [
            json!([{"Name": "Tags", "Values": []}]),
            json!([{"Name": "Tags", "Values": ["no-colon"]}]),
            json!([{"Name": "Tags"}]),
            json!({"Name": "Tags", "Values": ["a:b"]}),
        ] {
            assert!(
                matches!(tag_filters(bad.clone()), Err(TcrError::InvalidParameter(_))),
                "{bad}"
            );
        }
        let other = tag_filters(json!([{"Name": "Owner", "Values": ["x"]}]));
        assert!(matches!(other, Err(TcrError::InvalidParameterValue(_))));
        assert_eq!(
            cves(json!([{"CVEID": "CVE-1"}])).unwrap(),
            r#"[{"CVEID":"CVE-1"}]"#
        );
        for bad in [
            json!([{"CVEID": ""}]),
            json!([{"CVEID": "a", "Note": "b"}]),
            json!([{"CVEID": "a"}, {"CVEID": "a"}]),
            json!({"CVEID": "a"}),
            json!([1]),
        ] {
            assert!(cves(bad.clone()).is_err(), "{bad}");
        }
    }
}
