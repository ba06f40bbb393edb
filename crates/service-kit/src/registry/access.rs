//! Who may do what to which repository: the tenancy rule of every registry token.
//!
//! A repository `ns/app` (or `ns/team/app`) lives in the namespace `ns`, its first path
//! segment; a name without one lives in no namespace. A namespace belongs to exactly one
//! owner (an SWR instance, a TCR registry), and the name is unique among the owners that
//! share one registry `service`. A login is granted, on each repository asked for:
//!
//! - in a namespace of its own owner: the actions its rights hold there;
//! - in a public namespace of another owner, or with no login at all: `pull` and nothing
//!   else;
//! - anywhere else (another owner's private namespace, a namespace that does not exist, a
//!   name without a namespace, any resource type but `repository`): no action.
//!
//! Asking for more than is allowed is not an error: distribution's token spec answers with
//! fewer actions, and the registry then refuses the request it was asked for.

use std::collections::BTreeMap;

use credential_core::registry_jwt::RegistryAccess;

use super::scope::ScopeRequest;

/// The resource type whose actions a grant covers.
const REPOSITORY: &str = "repository";
/// What anyone may do in a public namespace.
pub const PULL: &str = "pull";

/// What a login may do in its own owner's namespaces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NamespaceRights {
    /// The same actions in every namespace of the owner: a user's credential, whose
    /// actions follow from the user's role (`pull`, `pull,push`, `pull,push,delete`).
    Everywhere(Vec<String>),
    /// Actions namespace by namespace, and none in a namespace not listed: a robot
    /// account scoped to what one CI job may touch.
    PerNamespace(BTreeMap<String, Vec<String>>),
}

impl NamespaceRights {
    /// Actions in the owner's namespace `namespace`.
    fn in_namespace(&self, namespace: &str) -> &[String] {
        match self {
            NamespaceRights::Everywhere(actions) => actions,
            NamespaceRights::PerNamespace(by_name) => {
                by_name.get(namespace).map(Vec::as_slice).unwrap_or(&[])
            }
        }
    }
}

/// A successful registry login.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistryLogin {
    /// The token's `sub`: who logged in (a user id, a service account name).
    pub subject: String,
    /// The instance or registry the credential belongs to: the owner of the namespaces
    /// its rights apply to.
    pub owner: String,
    pub rights: NamespaceRights,
}

/// A namespace of the registry, as the service stores it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamespaceRecord {
    pub name: String,
    /// The instance or registry it belongs to.
    pub owner: String,
    /// Whether anyone, even without a login, may pull its repositories.
    pub public: bool,
}

/// The namespace of a repository name: its first path segment, when there is a second.
pub fn namespace_of(repository: &str) -> Option<&str> {
    match repository.split_once('/') {
        Some((namespace, rest)) if !namespace.is_empty() && !rest.is_empty() => Some(namespace),
        _ => None,
    }
}

/// The namespaces the `repository` scopes name, without duplicates: what the service
/// must look up (and nothing else) before [`granted_access`].
pub fn asked_namespaces(scopes: &[ScopeRequest]) -> Vec<String> {
    let mut names: Vec<String> = scopes
        .iter()
        .filter(|s| s.kind == REPOSITORY)
        .filter_map(|s| namespace_of(&s.name))
        .map(str::to_string)
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The access `login` (or an anonymous caller, `None`) gets out of what `scopes` ask,
/// given the records of the namespaces they name (records of other names are ignored).
/// Entries keep the order asked; actions keep the order asked within an entry.
pub fn granted_access(
    scopes: &[ScopeRequest],
    login: Option<&RegistryLogin>,
    namespaces: &[NamespaceRecord],
) -> Vec<RegistryAccess> {
    scopes
        .iter()
        .map(|s| RegistryAccess {
            kind: s.kind.clone(),
            name: s.name.clone(),
            actions: if s.kind == REPOSITORY {
                let allowed = allowed_on(&s.name, login, namespaces);
                s.actions
                    .iter()
                    .filter(|a| allowed.iter().any(|b| b == *a))
                    .cloned()
                    .collect()
            } else {
                Vec::new()
            },
        })
        .collect()
}

/// Every action allowed on `repository`.
fn allowed_on(
    repository: &str,
    login: Option<&RegistryLogin>,
    namespaces: &[NamespaceRecord],
) -> Vec<String> {
    let Some(namespace) = namespace_of(repository) else {
        return Vec::new();
    };
    let Some(record) = namespaces.iter().find(|n| n.name == namespace) else {
        return Vec::new();
    };
    let mut allowed: Vec<String> = match login {
        Some(login) if login.owner == record.owner => login.rights.in_namespace(namespace).to_vec(),
        _ => Vec::new(),
    };
    if record.public && !allowed.iter().any(|a| a == PULL) {
        allowed.push(PULL.to_string());
    }
    allowed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::parse_scopes;

    fn scopes(values: &[&str]) -> Vec<ScopeRequest> {
        parse_scopes(&values.iter().map(|v| v.to_string()).collect::<Vec<_>>()).unwrap()
    }

    fn actions(list: &[&str]) -> Vec<String> {
        list.iter().map(|a| a.to_string()).collect()
    }

    fn ns(name: &str, owner: &str, public: bool) -> NamespaceRecord {
        NamespaceRecord {
            name: name.into(),
            owner: owner.into(),
            public,
        }
    }

    fn user(owner: &str, list: &[&str]) -> RegistryLogin {
        RegistryLogin {
            subject: "u-1".into(),
            owner: owner.into(),
            rights: NamespaceRights::Everywhere(actions(list)),
        }
    }

    /// The actions of each entry, in order.
    fn granted(
        asked: &[&str],
        login: Option<&RegistryLogin>,
        namespaces: &[NamespaceRecord],
    ) -> Vec<Vec<String>> {
        granted_access(&scopes(asked), login, namespaces)
            .into_iter()
            .map(|a| a.actions)
            .collect()
    }

    #[test]
    fn the_namespace_is_the_first_of_at_least_two_segments() {
        assert_eq!(namespace_of("team-a/app"), Some("team-a"));
        assert_eq!(namespace_of("team-a/tools/app"), Some("team-a"));
        for none in ["app", "/app", "team-a/", ""] {
            assert_eq!(namespace_of(none), None, "{none:?}");
        }
        let asked = scopes(&[
            "repository:b/x:pull repository:a/y:push repository:b/z:pull",
            "repository:solo:pull registry:catalog:*",
        ]);
        assert_eq!(asked_namespaces(&asked), ["a", "b"]);
    }

    #[test]
    fn own_namespaces_get_the_login_rights_in_the_order_asked() {
        let known = [ns("team-a", "inst-a", false)];
        let login = user("inst-a", &["pull", "push"]);
        let got = granted(
            &["repository:team-a/app:delete,push,pull"],
            Some(&login),
            &known,
        );
        assert_eq!(got, [actions(&["push", "pull"])]);
    }

    #[test]
    fn another_owners_private_namespace_gives_nothing_whatever_is_asked() {
        let known = [ns("team-b", "inst-b", false)];
        let login = user("inst-a", &["pull", "push", "delete"]);
        let got = granted(
            &["repository:team-b/app:pull,push,delete,*"],
            Some(&login),
            &known,
        );
        assert_eq!(got, [Vec::<String>::new()]);
    }

    #[test]
    fn public_namespaces_give_pull_and_only_pull_to_others_and_to_anonymous() {
        let known = [ns("pub", "inst-b", true)];
        let login = user("inst-a", &["pull", "push"]);
        for who in [Some(&login), None] {
            let got = granted(&["repository:pub/app:push,pull,delete"], who, &known);
            assert_eq!(got, [actions(&["pull"])]);
        }
        // The owner keeps its own rights there.
        let owner = user("inst-b", &["pull", "push"]);
        let got = granted(&["repository:pub/app:push,pull"], Some(&owner), &known);
        assert_eq!(got, [actions(&["push", "pull"])]);
    }

    #[test]
    fn unknown_namespaces_bare_names_and_other_types_give_nothing() {
        let known = [ns("team-a", "inst-a", true)];
        let login = user("inst-a", &["pull", "push"]);
        let got = granted(
            &[
                "repository:ghost/app:pull",
                "repository:app:pull",
                "repository:team-a:pull",
                "registry:catalog:*",
                "repository(plugin):team-a/app:pull",
            ],
            Some(&login),
            &known,
        );
        assert!(got.iter().all(Vec::is_empty), "{got:?}");
        assert!(granted(&[], Some(&login), &known).is_empty());
    }

    #[test]
    fn per_namespace_rights_hold_only_where_listed() {
        let known = [ns("ci", "reg-1", false), ns("prod", "reg-1", false)];
        let robot = RegistryLogin {
            subject: "tcr$builder".into(),
            owner: "reg-1".into(),
            rights: NamespaceRights::PerNamespace(BTreeMap::from([(
                "ci".to_string(),
                actions(&["pull", "push"]),
            )])),
        };
        let got = granted(
            &["repository:ci/app:pull,push", "repository:prod/app:pull"],
            Some(&robot),
            &known,
        );
        assert_eq!(got, [actions(&["pull", "push"]), Vec::new()]);
    }
}
