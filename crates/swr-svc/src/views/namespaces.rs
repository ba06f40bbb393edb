//! Namespaces as `huaweicloudsdkswr` reads them (`Namespace`, `NamespaceMetadata`).
//! `repo_count` and `cve_allowlist` are left out: the registry's contents are not known
//! here.

use serde::Serialize;
use utoipa::ToSchema;

use super::swr_time;
use crate::repo::namespaces::Namespace;

/// The answer to a create.
#[derive(Serialize, ToSchema)]
#[schema(as = CreateInstanceNamespaceResponse)]
pub struct Created {
    /// The namespace's id (`namespace_id`).
    pub id: i64,
}

/// `metadata`: the SDK's `NamespaceMetadata`, whose values are strings.
#[derive(Serialize, ToSchema)]
#[schema(as = PublicMetadata)]
pub struct MetadataView {
    /// Whether anyone may pull the namespace's repositories.
    #[schema(value_type = String, pattern = "^(true|false)$", example = "false")]
    pub public: &'static str,
}

impl MetadataView {
    pub fn of(n: &Namespace) -> Self {
        MetadataView {
            public: if n.public { "true" } else { "false" },
        }
    }
}

/// A namespace, flat (ShowInstanceNamespace answers it at the top level).
#[derive(Serialize, ToSchema)]
#[schema(as = Namespace)]
pub struct NamespaceView<'a> {
    #[schema(format = DateTime, example = "2023-10-20T15:30:00Z")]
    pub created_at: String,
    pub metadata: MetadataView,
    pub name: &'a str,
    pub namespace_id: i64,
    #[schema(format = DateTime, example = "2023-10-20T15:30:00Z")]
    pub updated_at: String,
}

impl<'a> NamespaceView<'a> {
    pub fn of(n: &'a Namespace) -> Self {
        NamespaceView {
            created_at: swr_time(n.created_at),
            metadata: MetadataView::of(n),
            name: &n.name,
            namespace_id: n.id,
            updated_at: swr_time(n.updated_at),
        }
    }
}

/// A page of an instance's namespaces.
#[derive(Serialize, ToSchema)]
#[schema(as = ListInstanceNamespacesResponse)]
pub struct NamespacePage<'a> {
    pub namespaces: Vec<NamespaceView<'a>>,
    /// Every match, not the page's size.
    pub total: i64,
}

impl<'a> NamespacePage<'a> {
    pub fn of(rows: &'a [Namespace], total: i64) -> Self {
        NamespacePage {
            namespaces: rows.iter().map(NamespaceView::of).collect(),
            total,
        }
    }
}

/// The answer to an update: the namespace's name and its metadata as they now are.
#[derive(Serialize, ToSchema)]
#[schema(as = UpdateInstanceNamespaceResponse)]
pub struct Updated<'a> {
    pub metadata: MetadataView,
    pub namespace_name: &'a str,
}

impl<'a> Updated<'a> {
    pub fn of(n: &'a Namespace) -> Self {
        Updated {
            metadata: MetadataView::of(n),
            namespace_name: &n.name,
        }
    }
}
