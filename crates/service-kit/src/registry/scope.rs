//! The `scope` parameters of a token request: `type:name:actions`.
//!
//! `scope` may repeat, and one value may hold several scopes separated by spaces. Each is
//! split at its first and its last `:`, so a name may contain `host:port`
//! (`repository:127.0.0.1:5000/ns/app:pull`). Actions are comma-separated. Scopes for the
//! same resource are merged into one entry; the order of first appearance is kept.

/// One resource a client asks access to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScopeRequest {
    /// Resource type: `repository`, `registry`, ... (a `(class)` suffix stays part of it).
    pub kind: String,
    /// Resource name, e.g. `ns/app`.
    pub name: String,
    /// Requested actions, without duplicates or empty entries.
    pub actions: Vec<String>,
}

/// Most resources one request may name.
pub const MAX_SCOPES: usize = 64;
/// Longest scope echoed back in an error message.
const ECHO_LIMIT: usize = 100;

/// Why the `scope` parameters are refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    /// Not `type:name:actions` with a non-empty type and name.
    #[error("malformed scope {0:?}: expected type:name:actions")]
    Malformed(String),
    /// More than [`MAX_SCOPES`] resources.
    #[error("too many scopes: at most {MAX_SCOPES} resources per request")]
    TooMany,
}

/// Parse every `scope` value of a request; no values means a login check (no access).
pub fn parse_scopes(values: &[String]) -> Result<Vec<ScopeRequest>, ScopeError> {
    let mut scopes: Vec<ScopeRequest> = Vec::new();
    for text in values.iter().flat_map(|v| v.split_whitespace()) {
        let scope = parse_one(text)?;
        let same = |s: &&mut ScopeRequest| s.kind == scope.kind && s.name == scope.name;
        if let Some(existing) = scopes.iter_mut().find(same) {
            for action in scope.actions {
                if !existing.actions.contains(&action) {
                    existing.actions.push(action);
                }
            }
        } else if scopes.len() == MAX_SCOPES {
            return Err(ScopeError::TooMany);
        } else {
            scopes.push(scope);
        }
    }
    Ok(scopes)
}

fn parse_one(text: &str) -> Result<ScopeRequest, ScopeError> {
    let malformed = || ScopeError::Malformed(text.chars().take(ECHO_LIMIT).collect());
    let (kind, rest) = text.split_once(':').ok_or_else(malformed)?;
    let (name, actions) = rest.rsplit_once(':').ok_or_else(malformed)?;
    if kind.is_empty() || name.is_empty() || text.chars().any(char::is_control) {
        return Err(malformed());
    }
    let mut list: Vec<String> = Vec::new();
    for action in actions.split(',').filter(|a| !a.is_empty()) {
        if !list.iter().any(|a| a == action) {
            list.push(action.to_string());
        }
    }
    Ok(ScopeRequest {
        kind: kind.to_string(),
        name: name.to_string(),
        actions: list,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(kind: &str, name: &str, actions: &[&str]) -> ScopeRequest {
        ScopeRequest {
            kind: kind.into(),
            name: name.into(),
            actions: actions.iter().map(|a| a.to_string()).collect(),
        }
    }

    fn parse(values: &[&str]) -> Result<Vec<ScopeRequest>, ScopeError> {
        parse_scopes(&values.iter().map(|v| v.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn no_scope_is_a_login_check() {
        assert_eq!(parse(&[]), Ok(vec![]));
        assert_eq!(parse(&["", "  "]), Ok(vec![]));
    }

    #[test]
    fn pull_and_push_on_one_repository() {
        assert_eq!(
            parse(&["repository:ns/app:pull,push"]),
            Ok(vec![scope("repository", "ns/app", &["pull", "push"])])
        );
        assert_eq!(
            parse(&["repository:probe/hello:pull"]),
            Ok(vec![scope("repository", "probe/hello", &["pull"])])
        );
    }

    #[test]
    fn names_may_hold_host_and_port() {
        assert_eq!(
            parse(&["repository:127.0.0.1:5000/ns/app:pull,push"]),
            Ok(vec![scope(
                "repository",
                "127.0.0.1:5000/ns/app",
                &["pull", "push"]
            )])
        );
        assert_eq!(
            parse(&["repository:registry.example.com:443/a/b/c:pull"]),
            Ok(vec![scope(
                "repository",
                "registry.example.com:443/a/b/c",
                &["pull"]
            )])
        );
    }

    #[test]
    fn scope_repeats_and_values_hold_several() {
        assert_eq!(
            parse(&[
                "repository:a/x:pull repository:b/y:push",
                "registry:catalog:*"
            ]),
            Ok(vec![
                scope("repository", "a/x", &["pull"]),
                scope("repository", "b/y", &["push"]),
                scope("registry", "catalog", &["*"]),
            ])
        );
    }

    #[test]
    fn the_same_resource_is_merged_and_actions_deduplicated() {
        assert_eq!(
            parse(&["repository:a/x:pull", "repository:a/x:push,pull,,push"]),
            Ok(vec![scope("repository", "a/x", &["pull", "push"])])
        );
    }

    #[test]
    fn empty_actions_and_classes_are_kept() {
        assert_eq!(
            parse(&["repository:a/x:", "repository(plugin):p/q:pull"]),
            Ok(vec![
                scope("repository", "a/x", &[]),
                scope("repository(plugin)", "p/q", &["pull"]),
            ])
        );
    }

    #[test]
    fn malformed_scopes_are_refused() {
        for bad in [
            "repository",
            "repository:ns/app",
            ":ns/app:pull",
            "repository::pull",
            "a:\u{1}:pull",
        ] {
            assert!(
                matches!(parse(&[bad]), Err(ScopeError::Malformed(_))),
                "{bad}"
            );
        }
        let long = format!("x{}", "y".repeat(500));
        match parse(&[&long]) {
            Err(ScopeError::Malformed(echo)) => assert_eq!(echo.len(), ECHO_LIMIT),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn too_many_resources_are_refused() {
        let many: Vec<String> = (0..=MAX_SCOPES)
            .map(|i| format!("repository:r{i}:pull"))
            .collect();
        assert_eq!(parse_scopes(&many), Err(ScopeError::TooMany));
        assert_eq!(
            parse_scopes(&many[..MAX_SCOPES]).map(|s| s.len()),
            Ok(MAX_SCOPES)
        );
    }
}
