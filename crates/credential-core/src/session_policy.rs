//! Session policies: the IAM policy document a temporary key may be issued with, so that
//! it does only what both its roles and the document allow.
//!
//! Owns the language, in the subset Huawei IAM's policies share that can be enforced here
//! in full: `{"Version": "1.1", "Statement": [{"Effect": "Allow"|"Deny", "Action": [..]}]}`.
//! Action names are the services' policy actions (`swr:instance:createLTCredential`,
//! `tcr:CreateInstanceToken`, `iam:credentials:listCredentials`, ...), compared without
//! regard to case; `*` in a pattern stands for any run of characters (`swr:*:*`,
//! `swr:instance:*`, `*`). A `Deny` that matches wins over any `Allow`; an action no
//! statement allows is refused. `Resource` is accepted only as `["*"]` (every resource,
//! as if absent) and `Condition` not at all: a policy that narrowed by either would be
//! enforced wider than written, so it is refused rather than ignored.
//!
//! [`SessionPolicy::parse`] refuses a malformed document and a pattern that names no
//! known action, so a typo never passes silently as a grant or a denial.
//!
//! ```
//! use credential_core::session_policy::SessionPolicy;
//! use serde_json::json;
//!
//! let known = ["swr:instance:list", "swr:instance:createLTCredential", "tcr:DescribeInstances"];
//! let policy = SessionPolicy::parse(&json!({
//!     "Version": "1.1",
//!     "Statement": [
//!         {"Effect": "Allow", "Action": ["swr:*:*"]},
//!         {"Effect": "Deny", "Action": ["swr:instance:createLTCredential"]}
//!     ]
//! }), &known)?;
//! assert!(policy.allows("swr:instance:list"));
//! assert!(!policy.allows("swr:instance:createLTCredential"));
//! assert!(!policy.allows("tcr:DescribeInstances"));
//!
//! // A pattern that matches nothing known is refused, not ignored.
//! assert!(SessionPolicy::parse(&json!({
//!     "Version": "1.1",
//!     "Statement": [{"Effect": "Allow", "Action": ["swr:instance:lsit"]}]
//! }), &known).is_err());
//! # Ok::<(), credential_core::session_policy::PolicyError>(())
//! ```

use serde::{Deserialize, Serialize};
use serde_json::Value;
use thiserror::Error;

/// The only policy language version.
pub const VERSION: &str = "1.1";
/// Most characters of a document (as JSON): what travels inside every security token.
pub const MAX_DOCUMENT_CHARS: usize = 2048;
/// Most statements in a document.
pub const MAX_STATEMENTS: usize = 20;
/// Most action patterns in one statement.
pub const MAX_ACTIONS: usize = 50;

/// Why a document was refused; the message says where.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PolicyError {
    /// Not a document of this language.
    #[error("{0}")]
    Malformed(String),
    /// A part of the language this service does not enforce.
    #[error("{0}")]
    Unsupported(String),
    /// An action pattern that names no known action.
    #[error("policy.Statement[{statement}].Action[{action}] names no known action")]
    UnknownAction {
        /// Which statement (from 0).
        statement: usize,
        /// Which action pattern of it (from 0).
        action: usize,
    },
}

/// Allow or deny.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Effect {
    /// The actions are allowed, unless a `Deny` matches.
    Allow,
    /// The actions are refused, whatever else allows them.
    Deny,
}

/// One statement: its effect on the actions its patterns match.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    /// Allow or deny.
    #[serde(rename = "Effect")]
    pub effect: Effect,
    /// Action patterns, as written.
    #[serde(rename = "Action")]
    pub actions: Vec<String>,
}

/// A checked document: what travels sealed in a security token, written back in the
/// language's own form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionPolicy {
    /// Always [`VERSION`].
    #[serde(rename = "Version")]
    pub version: String,
    /// The statements, in order (order does not change the answer).
    #[serde(rename = "Statement")]
    pub statements: Vec<Statement>,
}

impl SessionPolicy {
    /// Check `document` against the language and the `known` action names.
    pub fn parse(document: &Value, known: &[&str]) -> Result<SessionPolicy, PolicyError> {
        if document.to_string().chars().count() > MAX_DOCUMENT_CHARS {
            return Err(malformed(format!(
                "policy: at most {MAX_DOCUMENT_CHARS} characters"
            )));
        }
        let doc = document
            .as_object()
            .ok_or_else(|| malformed("policy must be an object".into()))?;
        only_keys(doc, &["Version", "Statement"], "policy")?;
        if doc.get("Version").and_then(Value::as_str) != Some(VERSION) {
            return Err(malformed(format!("policy.Version must be \"{VERSION}\"")));
        }
        let statements = doc
            .get("Statement")
            .and_then(Value::as_array)
            .filter(|s| (1..=MAX_STATEMENTS).contains(&s.len()))
            .ok_or_else(|| {
                malformed(format!(
                    "policy.Statement must be a list of 1 to {MAX_STATEMENTS} statements"
                ))
            })?;
        let statements = statements
            .iter()
            .enumerate()
            .map(|(i, s)| statement(i, s, known))
            .collect::<Result<_, _>>()?;
        Ok(SessionPolicy {
            version: VERSION.into(),
            statements,
        })
    }

    /// Whether the policy allows `action` (a policy action name, without any
    /// parenthesised qualifier): some `Allow` matches and no `Deny` does.
    pub fn allows(&self, action: &str) -> bool {
        let matching = |effect: Effect| {
            self.statements
                .iter()
                .filter(|s| s.effect == effect)
                .any(|s| s.actions.iter().any(|p| matches(p, action)))
        };
        !matching(Effect::Deny) && matching(Effect::Allow)
    }
}

fn malformed(message: String) -> PolicyError {
    PolicyError::Malformed(message)
}

fn only_keys(
    object: &serde_json::Map<String, Value>,
    allowed: &[&str],
    what: &str,
) -> Result<(), PolicyError> {
    // The field is not quoted back: messages never echo what the caller sent.
    if object.keys().any(|k| !allowed.contains(&k.as_str())) {
        return Err(malformed(format!(
            "{what}: unknown field; expected only {}",
            allowed.join(", ")
        )));
    }
    Ok(())
}

fn statement(i: usize, value: &Value, known: &[&str]) -> Result<Statement, PolicyError> {
    let at = format!("policy.Statement[{i}]");
    let s = value
        .as_object()
        .ok_or_else(|| malformed(format!("{at} must be an object")))?;
    only_keys(s, &["Effect", "Action", "Resource", "Condition"], &at)?;
    let effect = match s.get("Effect").and_then(Value::as_str) {
        Some("Allow") => Effect::Allow,
        Some("Deny") => Effect::Deny,
        _ => {
            return Err(malformed(format!(
                "{at}.Effect must be \"Allow\" or \"Deny\""
            )))
        }
    };
    match s.get("Resource") {
        None | Some(Value::Null) => {}
        Some(Value::Array(r)) if !r.is_empty() && r.iter().all(|x| x == "*") => {}
        Some(_) => {
            return Err(PolicyError::Unsupported(format!(
                "{at}.Resource: only [\"*\"] is supported; narrow by action instead"
            )))
        }
    }
    if s.get("Condition").is_some_and(|c| !c.is_null()) {
        return Err(PolicyError::Unsupported(format!(
            "{at}.Condition is not supported"
        )));
    }
    let actions = s
        .get("Action")
        .and_then(Value::as_array)
        .filter(|a| (1..=MAX_ACTIONS).contains(&a.len()))
        .ok_or_else(|| {
            malformed(format!(
                "{at}.Action must be a list of 1 to {MAX_ACTIONS} action names"
            ))
        })?;
    let actions = actions
        .iter()
        .enumerate()
        .map(|(j, a)| {
            let pattern = a
                .as_str()
                .filter(|p| well_formed(p))
                .ok_or_else(|| {
                    malformed(format!(
                        "{at}.Action: each action is service:resource:action or service:Action, of letters, digits and *"
                    ))
                })?;
            if !known.iter().any(|k| matches(pattern, k)) {
                return Err(PolicyError::UnknownAction {
                    statement: i,
                    action: j,
                });
            }
            Ok(pattern.to_string())
        })
        .collect::<Result<_, _>>()?;
    Ok(Statement { effect, actions })
}

/// `*`, or two or three `:`-separated parts of `[A-Za-z0-9*]`, at most 128 characters.
fn well_formed(pattern: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    let parts: Vec<&str> = pattern.split(':').collect();
    pattern.len() <= 128
        && (2..=3).contains(&parts.len())
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '*'))
}

/// Whether `pattern` (with `*` for any run of characters) matches `name`, ignoring ASCII
/// case.
fn matches(pattern: &str, name: &str) -> bool {
    let (p, n) = (pattern.as_bytes(), name.as_bytes());
    // Greedy match with one backtrack point: linear in practice, no recursion.
    let (mut pi, mut ni) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ni < n.len() {
        if pi < p.len() && p[pi] != b'*' && p[pi].eq_ignore_ascii_case(&n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some(pi);
            mark = ni;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ni = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    const KNOWN: [&str; 5] = [
        "swr:instance:list",
        "swr:instance:createLTCredential",
        "tcr:CreateInstanceToken",
        "tcr:DescribeInstances",
        "iam:credentials:listCredentials",
    ];

    fn doc(statements: Value) -> Value {
        json!({ "Version": "1.1", "Statement": statements })
    }

    fn parse(statements: Value) -> Result<SessionPolicy, PolicyError> {
        SessionPolicy::parse(&doc(statements), &KNOWN)
    }

    #[test]
    fn wildcards_match_as_huaweis_language_does() {
        for (pattern, name, want) in [
            ("swr:*:*", "swr:instance:list", true),
            ("swr:instance:*", "swr:instance:createLTCredential", true),
            ("SWR:Instance:List", "swr:instance:list", true),
            (
                "swr:instance:create*",
                "swr:instance:createLTCredential",
                true,
            ),
            ("swr:instance:create*", "swr:instance:list", false),
            ("tcr:*", "tcr:CreateInstanceToken", true),
            ("tcr:*", "swr:instance:list", false),
            ("*", "iam:credentials:listCredentials", true),
            ("swr:instance:list", "swr:instance:listJobs", false),
        ] {
            assert_eq!(matches(pattern, name), want, "{pattern} ~ {name}");
        }
    }

    #[test]
    fn deny_wins_and_nothing_is_allowed_unless_said() {
        let p = parse(json!([
            {"Effect": "Allow", "Action": ["*"]},
            {"Effect": "Deny", "Action": ["tcr:CreateInstanceToken"]}
        ]))
        .unwrap();
        assert!(p.allows("tcr:DescribeInstances"));
        assert!(!p.allows("tcr:CreateInstanceToken"));
        let only_deny = parse(json!([{"Effect": "Deny", "Action": ["swr:*:*"]}])).unwrap();
        assert!(!only_deny.allows("tcr:DescribeInstances"));
    }

    #[test]
    fn what_is_not_enforced_is_refused() {
        let refused = [
            json!([{"Effect": "Allow", "Action": ["swr:*:*"], "Resource": ["SWR:*:*:instance:x"]}]),
            json!([{"Effect": "Allow", "Action": ["swr:*:*"], "Condition": {"StringEquals": {"a": ["b"]}}}]),
        ];
        for statements in refused {
            assert!(
                matches!(parse(statements.clone()), Err(PolicyError::Unsupported(_))),
                "{statements}"
            );
        }
        let accepted = json!([{"Effect": "Allow", "Action": ["swr:*:*"], "Resource": ["*"], "Condition": null}]);
        assert!(parse(accepted).is_ok());
    }

    #[test]
    fn malformed_documents_and_unknown_actions_are_refused() {
        let bad = [
            json!({"Version": "1.0", "Statement": [{"Effect": "Allow", "Action": ["*"]}]}),
            json!({"Version": "1.1", "Statement": []}),
            json!({"Version": "1.1", "Statement": [{"Effect": "allow", "Action": ["*"]}]}),
            json!({"Version": "1.1", "Statement": [{"Effect": "Allow", "Action": []}]}),
            json!({"Version": "1.1", "Statement": [{"Effect": "Allow", "Action": "swr:*:*"}]}),
            json!({"Version": "1.1", "Statement": [{"Effect": "Allow", "Action": ["swr"]}]}),
            json!({"Version": "1.1", "Statement": [{"Effect": "Allow", "Action": ["swr:a:b:c"]}]}),
            json!({"Version": "1.1", "Statement": [{"Effect": "Allow", "Action": ["*"], "Sid": "x"}]}),
            json!({"Version": "1.1", "Statement": [{"Effect": "Allow", "Action": ["*"]}], "Extra": 1}),
            json!([]),
        ];
        for d in bad {
            assert!(
                matches!(
                    SessionPolicy::parse(&d, &KNOWN),
                    Err(PolicyError::Malformed(_))
                ),
                "{d}"
            );
        }
        for unknown in ["swr:instance:lsit", "obs:*:*", "tcr:Describe*Tokens"] {
            assert!(
                matches!(
                    parse(json!([{"Effect": "Allow", "Action": [unknown]}])),
                    Err(PolicyError::UnknownAction { .. })
                ),
                "{unknown}"
            );
        }
        let long = json!([{"Effect": "Allow", "Action": vec!["swr:instance:list"; 50]}, {"Effect": "Allow", "Action": vec!["swr:instance:list"; 50]}]);
        assert!(parse(long).is_err(), "over the size limit");
    }

    #[test]
    fn the_checked_form_survives_a_round_trip() {
        let p = parse(json!([{"Effect": "Allow", "Action": ["swr:*:*"]}])).unwrap();
        let text = serde_json::to_string(&p).unwrap();
        assert_eq!(
            text,
            r#"{"Version":"1.1","Statement":[{"Effect":"Allow","Action":["swr:*:*"]}]}"#
        );
        assert_eq!(serde_json::from_str::<SessionPolicy>(&text).unwrap(), p);
    }

    proptest! {
        #[test]
        fn no_pattern_panics(pattern in "[A-Za-z0-9:*]{0,40}", name in "[A-Za-z0-9:]{0,40}") {
            let _ = matches(&pattern, &name);
            let _ = well_formed(&pattern);
        }

        #[test]
        fn a_name_matches_itself_and_star_matches_all(name in "[a-z]{1,8}:[a-z]{1,8}:[A-Za-z]{1,12}") {
            prop_assert!(matches(&name, &name));
            prop_assert!(matches("*", &name));
            prop_assert!(matches("*:*:*", &name));
        }
    }
}
