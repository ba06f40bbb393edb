//! The JSON shapes `huaweicloudsdkiam` reads (docs/api/iam-keystone-wire.md), one typed
//! view per shape, so the bytes served and the OpenAPI schema come from the same type.
//!
//! The fields of each view are declared in alphabetical order: that is the order the
//! answers have always had on the wire, and a test below holds every view to it.

use chrono::{DateTime, NaiveDateTime, Utc};
use credential_core::iam_token::{TokenClaims, TokenScope};
use serde::Serialize;
use utoipa::ToSchema;

use crate::catalog::CatalogEntry;
use crate::repo::{
    access_keys::AccessKey, domains::Domain, groups::Group, projects::Project, roles::Role,
    users::User,
};

/// Keystone's time format: `2020-01-08T06:25:19.014028Z`.
pub fn keystone_time(t: DateTime<Utc>) -> String {
    service_kit::timefmt::utc(t.naive_utc(), 6, "Z")
}

/// A stored time in Keystone's format.
fn stored_time(t: NaiveDateTime) -> String {
    keystone_time(t.and_utc())
}

/// The links of a resource or a list. Show and list answers carry `previous` and `next`
/// (always null: nothing is paged by links); create and update answers only `self`.
#[derive(Serialize, ToSchema)]
pub struct Links {
    /// Always null when present.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    next: Option<()>,
    /// Always null when present.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    previous: Option<()>,
    /// The resource's (or the list's) URL under `public_url`.
    #[serde(rename = "self")]
    this: String,
}

/// Only `self`: what create and update answers link.
pub fn self_link(base: &str, path: &str) -> Links {
    Links {
        next: None,
        previous: None,
        this: format!("{base}{path}"),
    }
}

/// `self`, `previous` and `next`: what show and list answers link.
fn full_links(base: &str, path: &str) -> Links {
    Links {
        next: Some(()),
        previous: Some(()),
        this: format!("{base}{path}"),
    }
}

/// Links of a whole list.
pub fn list_links(base: &str, path: &str) -> Links {
    full_links(base, path)
}

fn links(base: &str, path: &str, full: bool) -> Links {
    if full {
        full_links(base, path)
    } else {
        self_link(base, path)
    }
}

/// A Keystone user.
#[derive(Serialize, ToSchema)]
pub struct UserView<'a> {
    /// Always `default`.
    access_mode: &'static str,
    description: &'a str,
    domain_id: &'a str,
    enabled: bool,
    id: &'a str,
    /// Always null.
    last_project_id: Option<&'a str>,
    links: Links,
    name: &'a str,
    /// Always null: passwords do not expire.
    password_expires_at: Option<&'a str>,
    /// Whether the user must change their password: true for a new user and when an
    /// admin says so, false once the user has changed it.
    pwd_status: bool,
    /// `Strong`, in list answers only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pwd_strength: Option<&'static str>,
}

/// Which answer a user is rendered for: each shows a little more.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum UserForm {
    /// Create and update: the `self` link only.
    Written,
    /// Show: all links.
    Shown,
    /// Lists: all links and `pwd_strength`.
    Listed,
}

pub fn user<'a>(u: &'a User, base: &str, form: UserForm) -> UserView<'a> {
    UserView {
        access_mode: "default",
        description: &u.description,
        domain_id: &u.domain_id,
        enabled: u.enabled,
        id: &u.id,
        last_project_id: None,
        links: links(
            base,
            &format!("/v3/users/{}", u.id),
            form != UserForm::Written,
        ),
        name: &u.name,
        password_expires_at: None,
        pwd_status: u.pwd_status,
        pwd_strength: (form == UserForm::Listed).then_some("Strong"),
    }
}

/// `{"user": ...}`.
#[derive(Serialize, ToSchema)]
pub struct UserBody<'a> {
    pub user: UserView<'a>,
}

/// `{"users": [...], "links": ...}`.
#[derive(Serialize, ToSchema)]
pub struct UserList<'a> {
    pub links: Links,
    pub users: Vec<UserView<'a>>,
}

/// A Keystone project.
#[derive(Serialize, ToSchema)]
pub struct ProjectView<'a> {
    description: &'a str,
    domain_id: &'a str,
    enabled: bool,
    /// `{}`, in update answers only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    extra: Option<Extra>,
    id: &'a str,
    /// Always false.
    is_domain: bool,
    links: Links,
    name: &'a str,
    /// The parent project, or the domain for a top-level project.
    parent_id: &'a str,
}

/// An empty object.
#[derive(Serialize, ToSchema)]
pub struct Extra {}

impl ProjectView<'_> {
    /// The project as an update answers it, with Huawei's empty `extra`.
    pub fn edited(self) -> Self {
        ProjectView {
            extra: Some(Extra {}),
            ..self
        }
    }
}

pub fn project<'a>(p: &'a Project, base: &str, full: bool) -> ProjectView<'a> {
    ProjectView {
        description: &p.description,
        domain_id: &p.domain_id,
        enabled: p.enabled,
        extra: None,
        id: &p.id,
        is_domain: false,
        links: links(base, &format!("/v3/projects/{}", p.id), full),
        name: &p.name,
        parent_id: p.parent_id.as_deref().unwrap_or(&p.domain_id),
    }
}

/// `{"project": ...}`.
#[derive(Serialize, ToSchema)]
pub struct ProjectBody<'a> {
    pub project: ProjectView<'a>,
}

/// `{"projects": [...], "links": ...}`.
#[derive(Serialize, ToSchema)]
pub struct ProjectList<'a> {
    pub links: Links,
    pub projects: Vec<ProjectView<'a>>,
}

/// A Keystone group.
#[derive(Serialize, ToSchema)]
pub struct GroupView<'a> {
    /// Milliseconds since the Unix epoch.
    create_time: i64,
    description: &'a str,
    domain_id: &'a str,
    id: &'a str,
    links: Links,
    name: &'a str,
}

pub fn group<'a>(g: &'a Group, base: &str, full: bool) -> GroupView<'a> {
    GroupView {
        create_time: g.created_at.and_utc().timestamp_millis(),
        description: &g.description,
        domain_id: &g.domain_id,
        id: &g.id,
        links: links(base, &format!("/v3/groups/{}", g.id), full),
        name: &g.name,
    }
}

/// `{"group": ...}`.
#[derive(Serialize, ToSchema)]
pub struct GroupBody<'a> {
    pub group: GroupView<'a>,
}

/// `{"groups": [...], "links": ...}`.
#[derive(Serialize, ToSchema)]
pub struct GroupList<'a> {
    pub groups: Vec<GroupView<'a>>,
    pub links: Links,
}

/// A role (Huawei calls them permissions): `admin`, `member` or `readonly`.
#[derive(Serialize, ToSchema)]
pub struct RoleView<'a> {
    /// Always `BASE`.
    catalog: &'static str,
    description: &'a str,
    display_name: &'a str,
    /// Always `fine_grained`.
    flag: &'static str,
    id: &'a str,
    links: Links,
    name: &'a str,
    policy: RolePolicy,
    /// Always `AA`.
    #[serde(rename = "type")]
    kind: &'static str,
}

/// A role's policy document: allows `*:*:<role name>`.
#[derive(Serialize, ToSchema)]
pub struct RolePolicy {
    #[serde(rename = "Statement")]
    statement: Vec<RoleStatement>,
    /// Always `1.1`.
    #[serde(rename = "Version")]
    version: &'static str,
}

/// One statement of a [`RolePolicy`].
#[derive(Serialize, ToSchema)]
pub struct RoleStatement {
    #[serde(rename = "Action")]
    action: Vec<String>,
    /// Always `Allow`.
    #[serde(rename = "Effect")]
    effect: &'static str,
}

pub fn role<'a>(r: &'a Role, base: &str) -> RoleView<'a> {
    RoleView {
        catalog: "BASE",
        description: &r.description,
        display_name: &r.display_name,
        flag: "fine_grained",
        id: &r.id,
        links: full_links(base, &format!("/v3/roles/{}", r.id)),
        name: &r.name,
        policy: RolePolicy {
            statement: vec![RoleStatement {
                action: vec![format!("*:*:{}", r.name)],
                effect: "Allow",
            }],
            version: "1.1",
        },
        kind: "AA",
    }
}

/// `{"role": ...}`.
#[derive(Serialize, ToSchema)]
pub struct RoleBody<'a> {
    pub role: RoleView<'a>,
}

/// `{"roles": [...], "links": ..., "total_number": n}`, or without `total_number` for a
/// group's roles on a target.
#[derive(Serialize, ToSchema)]
pub struct RoleList<'a> {
    pub links: Links,
    pub roles: Vec<RoleView<'a>>,
    /// The number of roles, in `GET /v3/roles` answers only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub total_number: Option<usize>,
}

/// A domain the caller holds a role on.
#[derive(Serialize, ToSchema)]
pub struct DomainView<'a> {
    description: &'a str,
    enabled: bool,
    id: &'a str,
    links: Links,
    name: &'a str,
}

pub fn domain<'a>(d: &'a Domain, base: &str) -> DomainView<'a> {
    DomainView {
        description: &d.description,
        enabled: d.enabled,
        id: &d.id,
        links: self_link(base, &format!("/v3/domains/{}", d.id)),
        name: &d.name,
    }
}

/// `{"domains": [...], "links": ...}`.
#[derive(Serialize, ToSchema)]
pub struct DomainList<'a> {
    pub domains: Vec<DomainView<'a>>,
    pub links: Links,
}

/// A permanent access key. No `Debug`: the creation's view holds the secret.
#[derive(Serialize, ToSchema)]
pub struct CredentialView<'a> {
    /// The access key id (AK).
    access: &'a str,
    /// Keystone time, e.g. `2020-01-08T06:25:19.014028Z`.
    create_time: String,
    description: &'a str,
    /// Keystone time of the key's last use, to the minute; `""` if never used. In show
    /// answers only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    last_use_time: Option<String>,
    /// The secret key (SK): in the creation's answer only, and never again.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    secret: Option<&'a str>,
    /// `active` or `inactive`.
    status: &'a str,
    user_id: &'a str,
}

pub fn credential(k: &AccessKey) -> CredentialView<'_> {
    CredentialView {
        access: &k.access,
        create_time: stored_time(k.created_at),
        description: &k.description,
        last_use_time: None,
        secret: None,
        status: &k.status,
        user_id: &k.user_id,
    }
}

impl<'a> CredentialView<'a> {
    /// The key as its creation answers it, with its secret.
    pub fn with_secret(self, secret: &'a str) -> Self {
        CredentialView {
            secret: Some(secret),
            ..self
        }
    }

    /// The key as show answers it, with its last use.
    pub fn with_last_use(self, last_used_at: Option<NaiveDateTime>) -> Self {
        CredentialView {
            last_use_time: Some(last_used_at.map(stored_time).unwrap_or_default()),
            ..self
        }
    }
}

/// `{"credential": ...}`.
#[derive(Serialize, ToSchema)]
pub struct CredentialBody<'a> {
    pub credential: CredentialView<'a>,
}

/// `{"credentials": [...]}`.
#[derive(Serialize, ToSchema)]
pub struct CredentialList<'a> {
    pub credentials: Vec<CredentialView<'a>>,
}

/// The body of a token answer (`{"token": ...}`), as Keystone shapes it. Typed and
/// borrowed rather than built as a `Value`: validation answers it on every call.
#[derive(Serialize, ToSchema)]
pub struct TokenBody<'a> {
    token: TokenView<'a>,
}

/// The `token` object of `POST` and `GET /v3/auth/tokens`.
#[derive(Serialize, ToSchema)]
pub struct TokenView<'a> {
    /// How the token was obtained: `["password"]` or `["token"]`.
    #[schema(value_type = Vec<String>)]
    methods: &'a [String],
    /// Keystone time, e.g. `2020-01-08T06:25:19.014028Z`.
    issued_at: String,
    /// Keystone time, e.g. `2020-01-09T06:25:19.014028Z`.
    expires_at: String,
    user: TokenUser<'a>,
    /// The roles of the scope; none for an unscoped token.
    roles: Vec<NameRef<'a>>,
    /// The service catalog (as `GET /v3/auth/catalog`), or none with `?nocatalog`.
    catalog: Vec<CatalogEntry<'a>>,
    /// The project of a project-scoped token.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    project: Option<ScopedProject<'a>>,
    /// The domain of a domain-scoped token.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    domain: Option<NameRef<'a>>,
}

/// The token's user.
#[derive(Serialize, ToSchema)]
pub struct TokenUser<'a> {
    id: &'a str,
    name: &'a str,
    /// Always `""`: passwords do not expire.
    password_expires_at: &'static str,
    domain: NameRef<'a>,
}

/// An id and a name.
#[derive(Serialize, ToSchema)]
pub struct NameRef<'a> {
    id: &'a str,
    name: &'a str,
}

/// The project of a project-scoped token, with its domain.
#[derive(Serialize, ToSchema)]
pub struct ScopedProject<'a> {
    id: &'a str,
    name: &'a str,
    domain: NameRef<'a>,
}

/// The token answer; `catalog` is [`crate::catalog::entries`], or empty with `?nocatalog`.
pub fn token<'a>(c: &'a TokenClaims, catalog: Vec<CatalogEntry<'a>>) -> TokenBody<'a> {
    let (project, domain) = match &c.scope {
        TokenScope::Project {
            id,
            name,
            domain_id,
            domain_name,
        } => (
            Some(ScopedProject {
                id,
                name,
                domain: NameRef {
                    id: domain_id,
                    name: domain_name,
                },
            }),
            None,
        ),
        TokenScope::Domain { id, name } => (None, Some(NameRef { id, name })),
        TokenScope::Unscoped => (None, None),
    };
    TokenBody {
        token: TokenView {
            methods: &c.methods,
            issued_at: keystone_time(c.issued_at),
            expires_at: keystone_time(c.expires_at),
            user: TokenUser {
                id: &c.user_id,
                name: &c.user_name,
                password_expires_at: "",
                domain: NameRef {
                    id: &c.domain_id,
                    name: &c.domain_name,
                },
            },
            roles: c
                .roles
                .iter()
                .map(|r| NameRef {
                    id: &r.id,
                    name: &r.name,
                })
                .collect(),
            catalog,
            project,
            domain,
        },
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    fn at() -> NaiveDateTime {
        DateTime::from_timestamp(1_578_464_719, 14_028_000)
            .unwrap_or_default()
            .naive_utc()
    }

    /// The bytes as the answers were built before the views were typed: a
    /// `serde_json::Value`, whose objects keep their keys sorted.
    fn as_sorted_value(text: &str) -> String {
        let value: Value = serde_json::from_str(text).unwrap();
        serde_json::to_string(&value).unwrap()
    }

    #[track_caller]
    fn assert_sorted(view: impl Serialize) {
        let text = serde_json::to_string(&view).unwrap();
        assert_eq!(text, as_sorted_value(&text));
    }

    #[test]
    fn every_view_keeps_the_key_order_the_wire_always_had() {
        let base = "http://iam.test";
        let alice = User {
            id: "u1".into(),
            domain_id: "d1".into(),
            name: "alice".into(),
            password_hash: "x".into(),
            enabled: true,
            description: "".into(),
            created_at: at(),
            updated_at: at(),
            pwd_status: true,
        };
        for form in [UserForm::Written, UserForm::Shown, UserForm::Listed] {
            assert_sorted(UserList {
                links: list_links(base, "/v3/users"),
                users: vec![user(&alice, base, form)],
            });
        }
        let proj = Project {
            id: "p1".into(),
            domain_id: "d1".into(),
            parent_id: None,
            name: "p".into(),
            description: "".into(),
            enabled: true,
            created_at: at(),
        };
        for full in [false, true] {
            assert_sorted(ProjectList {
                links: list_links(base, "/v3/projects"),
                projects: vec![project(&proj, base, full)],
            });
        }
        assert_sorted(ProjectBody {
            project: project(&proj, base, false).edited(),
        });
        let grp = Group {
            id: "g1".into(),
            domain_id: "d1".into(),
            name: "g".into(),
            description: "".into(),
            created_at: at(),
        };
        assert_sorted(GroupList {
            groups: vec![group(&grp, base, true), group(&grp, base, false)],
            links: list_links(base, "/v3/groups"),
        });
        let admin = Role {
            id: "r1".into(),
            name: "admin".into(),
            display_name: "Admin".into(),
            description: "".into(),
        };
        assert_sorted(RoleList {
            links: list_links(base, "/v3/roles"),
            roles: vec![role(&admin, base)],
            total_number: Some(1),
        });
        let dom = Domain {
            id: "d1".into(),
            name: "d".into(),
            description: "".into(),
            enabled: true,
            created_at: at(),
        };
        assert_sorted(DomainList {
            domains: vec![domain(&dom, base)],
            links: self_link(base, "/v3/auth/domains"),
        });
        let key = AccessKey {
            access: "AK".into(),
            user_id: "u1".into(),
            domain_id: "d1".into(),
            sealed_secret: "sealed".into(),
            status: "active".into(),
            description: "".into(),
            created_at: at(),
            last_used_at: Some(at()),
        };
        assert_sorted(CredentialBody {
            credential: credential(&key)
                .with_secret("SK")
                .with_last_use(key.last_used_at),
        });
    }

    #[test]
    fn links_are_null_when_present_and_times_are_keystone_times() {
        let text = serde_json::to_string(&full_links("http://iam.test", "/v3/roles")).unwrap();
        assert_eq!(
            text,
            r#"{"next":null,"previous":null,"self":"http://iam.test/v3/roles"}"#
        );
        assert_eq!(stored_time(at()), "2020-01-08T06:25:19.014028Z");
    }
}
