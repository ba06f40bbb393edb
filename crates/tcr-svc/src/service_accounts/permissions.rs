//! A service account's permissions: `[{"Resource": namespace, "Actions": [...]}]`, with
//! Tencent's action names, stored as given (JSON) and returned as stored. What they grant
//! on the registry:
//!
//! | action | registry actions |
//! |---|---|
//! | `tcr:PullRepository` | `pull` |
//! | `tcr:PushRepository` | `push` and `pull`: a distribution registry asks for both on every upload request (and `pull` to check which blobs it has), so a push-only token cannot push an image |
//! | `tcr:CreateRepository` | nothing more: a repository is created by its first push, which `tcr:PushRepository` grants |
//! | `tcr:CreateHelmChart`, `tcr:DescribeHelmCharts` | nothing: this registry serves no Helm charts; kept for the client that set them |
//!
//! Whether each namespace exists is checked against the registry when the permissions are
//! set; a namespace deleted later grants nothing, as a login only opens live namespaces.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use service_kit::registry::access::PULL;

use crate::error::TcrError;

/// The actions Tencent lists for a service account's permission.
pub const ACTIONS: [&str; 5] = [
    "tcr:PushRepository",
    "tcr:PullRepository",
    "tcr:CreateRepository",
    "tcr:CreateHelmChart",
    "tcr:DescribeHelmCharts",
];
/// The most permissions one account holds: more namespaces than a registry has in practice.
pub const MAX_PERMISSIONS: usize = 500;

/// One entry of `Permissions`, in the wire's (and the stored) shape.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Permission {
    /// A namespace of the registry.
    #[serde(rename = "Resource")]
    pub resource: String,
    /// Distinct, from [`ACTIONS`].
    #[serde(rename = "Actions")]
    #[schema(value_type = Vec<PermissionAction>, min_items = 1)]
    pub actions: Vec<String>,
}

crate::wire::string_enum!(
    /// [`ACTIONS`], in the OpenAPI document.
    PermissionAction = ACTIONS,
    "An action a permission grants."
);

/// The registry actions one Tencent action grants.
fn registry_actions(action: &str) -> &'static [&'static str] {
    match action {
        "tcr:PullRepository" => &[PULL],
        "tcr:PushRepository" => &[PULL, "push"],
        _ => &[],
    }
}

/// `Permissions` as sent: a non-empty list of distinct namespaces, each with a non-empty
/// list of distinct actions from [`ACTIONS`].
pub fn parse(raw: Value) -> Result<Vec<Permission>, TcrError> {
    let invalid = |m: &str| TcrError::InvalidParameter(format!("Permissions: {m}"));
    let list: Vec<Permission> = serde_json::from_value(raw).map_err(|_| {
        invalid("must be a list of {\"Resource\": namespace, \"Actions\": [action, ...]}.")
    })?;
    if list.is_empty() || list.len() > MAX_PERMISSIONS {
        return Err(invalid(&format!(
            "must name 1 to {MAX_PERMISSIONS} namespaces."
        )));
    }
    for (i, p) in list.iter().enumerate() {
        if list[..i].iter().any(|q| q.resource == p.resource) {
            return Err(invalid(&format!("{} is listed twice.", p.resource)));
        }
        if p.actions.is_empty() {
            return Err(invalid(&format!("{} has no Actions.", p.resource)));
        }
        for (j, a) in p.actions.iter().enumerate() {
            if !ACTIONS.contains(&a.as_str()) {
                return Err(invalid(&format!(
                    "unknown action {a}; the actions are {}.",
                    ACTIONS.join(", ")
                )));
            }
            if p.actions[..j].contains(a) {
                return Err(invalid(&format!("{a} is listed twice for {}.", p.resource)));
            }
        }
    }
    Ok(list)
}

/// The namespaces the permissions name.
pub fn namespaces(list: &[Permission]) -> Vec<String> {
    list.iter().map(|p| p.resource.clone()).collect()
}

/// The stored form.
pub fn to_stored(list: &[Permission]) -> String {
    serde_json::to_string(list).unwrap_or_else(|_| "[]".into())
}

/// The stored form read back; `None` if it is not what [`to_stored`] writes.
pub fn from_stored(stored: &str) -> Option<Vec<Permission>> {
    serde_json::from_str(stored).ok()
}

/// The registry actions per namespace; a namespace whose actions grant nothing is left out.
pub fn rights(list: &[Permission]) -> BTreeMap<String, Vec<String>> {
    let mut by_namespace = BTreeMap::new();
    for p in list {
        let mut granted: Vec<String> = Vec::new();
        for action in p.actions.iter().flat_map(|a| registry_actions(a)) {
            if !granted.iter().any(|g| g == action) {
                granted.push(action.to_string());
            }
        }
        if !granted.is_empty() {
            by_namespace.insert(p.resource.clone(), granted);
        }
    }
    by_namespace
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn actions_map_to_registry_actions() {
        let list = parse(json!([
            {"Resource": "ci", "Actions": ["tcr:PushRepository", "tcr:CreateRepository"]},
            {"Resource": "base", "Actions": ["tcr:PullRepository"]},
            {"Resource": "charts", "Actions": ["tcr:CreateHelmChart", "tcr:DescribeHelmCharts"]},
        ]))
        .unwrap();
        let got = rights(&list);
        let want = BTreeMap::from([
            (
                "ci".to_string(),
                vec!["pull".to_string(), "push".to_string()],
            ),
            ("base".to_string(), vec!["pull".to_string()]),
        ]);
        assert_eq!(got, want);
        assert_eq!(from_stored(&to_stored(&list)), Some(list));
    }

    #[test]
    fn bad_permissions_are_refused() {
        for bad in [
            json!("ci"),
            json!({}),
            json!([]),
            json!([{"Resource": "ci"}]),
            json!([{"Resource": "ci", "Actions": []}]),
            json!([{"Resource": "ci", "Actions": ["push"]}]),
            json!([{"Resource": "ci", "Actions": ["tcr:PullRepository", "tcr:PullRepository"]}]),
            json!([{"Resource": "ci", "Actions": ["tcr:PullRepository"], "Extra": 1}]),
            json!([{"Resource": 1, "Actions": ["tcr:PullRepository"]}]),
            json!([
                {"Resource": "ci", "Actions": ["tcr:PullRepository"]},
                {"Resource": "ci", "Actions": ["tcr:PushRepository"]}
            ]),
        ] {
            assert!(
                matches!(parse(bad.clone()), Err(TcrError::InvalidParameter(_))),
                "{bad}"
            );
        }
    }
}
