//! The JSON shapes `huaweicloudsdkiam` reads (docs/api/iam-keystone-wire.md).

use chrono::{DateTime, NaiveDateTime, Utc};
use credential_core::iam_token::{TokenClaims, TokenScope};
use serde::Serialize;
use serde_json::{json, Value};

use crate::repo::{groups::Group, projects::Project, roles::Role, users::User};

/// Keystone's time format: `2020-01-08T06:25:19.014028Z`.
pub fn keystone_time(t: DateTime<Utc>) -> String {
    service_kit::timefmt::utc(t.naive_utc(), 6, "Z")
}

fn self_link(base: &str, path: &str) -> Value {
    json!({ "self": format!("{base}{path}") })
}

/// Links of a single resource in show/list answers (previous/next are always null).
fn full_links(base: &str, path: &str) -> Value {
    json!({ "self": format!("{base}{path}"), "previous": null, "next": null })
}

/// Links of a whole list.
pub fn list_links(base: &str, path: &str) -> Value {
    full_links(base, path)
}

pub fn user(u: &User, base: &str, full: bool) -> Value {
    let path = format!("/v3/users/{}", u.id);
    json!({
        "id": u.id,
        "name": u.name,
        "domain_id": u.domain_id,
        "description": u.description,
        "enabled": u.enabled,
        "pwd_status": true,
        "password_expires_at": null,
        "last_project_id": null,
        "access_mode": "default",
        "links": if full { full_links(base, &path) } else { self_link(base, &path) },
    })
}

pub fn project(p: &Project, base: &str, full: bool) -> Value {
    let path = format!("/v3/projects/{}", p.id);
    json!({
        "id": p.id,
        "name": p.name,
        "domain_id": p.domain_id,
        "parent_id": p.parent_id.clone().unwrap_or_else(|| p.domain_id.clone()),
        "description": p.description,
        "enabled": p.enabled,
        "is_domain": false,
        "links": if full { full_links(base, &path) } else { self_link(base, &path) },
    })
}

pub fn group(g: &Group, base: &str, full: bool) -> Value {
    let path = format!("/v3/groups/{}", g.id);
    json!({
        "id": g.id,
        "name": g.name,
        "domain_id": g.domain_id,
        "description": g.description,
        "create_time": millis(g.created_at),
        "links": if full { full_links(base, &path) } else { self_link(base, &path) },
    })
}

pub fn role(r: &Role, base: &str) -> Value {
    json!({
        "id": r.id,
        "name": r.name,
        "display_name": r.display_name,
        "description": r.description,
        "type": "AA",
        "catalog": "BASE",
        "flag": "fine_grained",
        "policy": {
            "Version": "1.1",
            "Statement": [{ "Action": [format!("*:*:{}", r.name)], "Effect": "Allow" }],
        },
        "links": full_links(base, &format!("/v3/roles/{}", r.id)),
    })
}

fn millis(t: NaiveDateTime) -> i64 {
    t.and_utc().timestamp_millis()
}

/// The `token` object of `POST` and `GET /v3/auth/tokens`.
/// The body of a token answer (`{"token": ...}`), as Keystone shapes it. Typed and
/// borrowed rather than built as a `Value`: validation answers it on every call.
#[derive(Serialize)]
pub struct TokenBody<'a> {
    token: TokenView<'a>,
}

#[derive(Serialize)]
struct TokenView<'a> {
    methods: &'a [String],
    issued_at: String,
    expires_at: String,
    user: TokenUser<'a>,
    roles: Vec<NameRef<'a>>,
    catalog: Vec<CatalogEntry>,
    #[serde(skip_serializing_if = "Option::is_none")]
    project: Option<ScopedProject<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    domain: Option<NameRef<'a>>,
}

#[derive(Serialize)]
struct TokenUser<'a> {
    id: &'a str,
    name: &'a str,
    password_expires_at: &'static str,
    domain: NameRef<'a>,
}

#[derive(Serialize)]
struct NameRef<'a> {
    id: &'a str,
    name: &'a str,
}

#[derive(Serialize)]
struct ScopedProject<'a> {
    id: &'a str,
    name: &'a str,
    domain: NameRef<'a>,
}

#[derive(Serialize)]
struct CatalogEntry {
    #[serde(rename = "type")]
    kind: &'static str,
    id: &'static str,
    name: &'static str,
    endpoints: [CatalogEndpoint; 1],
}

#[derive(Serialize)]
struct CatalogEndpoint {
    id: &'static str,
    url: String,
    region: &'static str,
    region_id: &'static str,
    interface: &'static str,
}

pub fn token<'a>(c: &'a TokenClaims, base: &str, with_catalog: bool) -> TokenBody<'a> {
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
            catalog: if with_catalog {
                vec![catalog(base)]
            } else {
                Vec::new()
            },
            project,
            domain,
        },
    }
}

fn catalog(base: &str) -> CatalogEntry {
    CatalogEntry {
        kind: "identity",
        id: "iam",
        name: "iam",
        endpoints: [CatalogEndpoint {
            id: "iam-public",
            url: format!("{base}/v3"),
            region: "*",
            region_id: "*",
            interface: "public",
        }],
    }
}
