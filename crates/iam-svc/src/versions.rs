//! The Keystone version documents of `GET /` and `GET /v3`, as Huawei IAM answers them:
//! one version, v3.6, stable, linked under `public_url`. Clients (keystoneauth, the SDKs'
//! discovery) read them to learn where v3 lives; nothing here depends on the caller.

use serde::Serialize;
use utoipa::ToSchema;

/// The Identity API version Huawei IAM reports, and the date it gives it.
const VERSION_ID: &str = "v3.6";
const UPDATED: &str = "2016-04-04T00:00:00Z";

/// One Identity API version.
#[derive(Serialize, ToSchema)]
pub struct VersionView {
    /// Always `v3.6`.
    #[schema(example = "v3.6")]
    id: &'static str,
    /// `self`: the version's root, `public_url` + `/v3/`.
    links: [VersionLink; 1],
    /// The JSON media type of Identity v3.
    #[serde(rename = "media-types")]
    media_types: [MediaType; 1],
    /// Always `stable`.
    status: &'static str,
    /// When the version last changed, e.g. `2016-04-04T00:00:00Z`.
    updated: &'static str,
}

/// A link of a version.
#[derive(Serialize, ToSchema)]
pub struct VersionLink {
    href: String,
    /// Always `self`.
    rel: &'static str,
}

/// A media type a version speaks.
#[derive(Serialize, ToSchema)]
pub struct MediaType {
    /// Always `application/json`.
    base: &'static str,
    /// Always `application/vnd.openstack.identity-v3+json`.
    #[serde(rename = "type")]
    kind: &'static str,
}

/// `GET /`: `{"versions": {"values": [...]}}`.
#[derive(Serialize, ToSchema)]
pub struct VersionsBody {
    versions: VersionValues,
}

/// The versions offered.
#[derive(Serialize, ToSchema)]
pub struct VersionValues {
    values: [VersionView; 1],
}

/// `GET /v3`: `{"version": {...}}`.
#[derive(Serialize, ToSchema)]
pub struct VersionBody {
    version: VersionView,
}

fn v3(base: &str) -> VersionView {
    VersionView {
        id: VERSION_ID,
        links: [VersionLink {
            href: format!("{base}/v3/"),
            rel: "self",
        }],
        media_types: [MediaType {
            base: "application/json",
            kind: "application/vnd.openstack.identity-v3+json",
        }],
        status: "stable",
        updated: UPDATED,
    }
}

/// Every version iam-svc serves, linked under `base` (`public_url`).
pub fn all(base: &str) -> VersionsBody {
    VersionsBody {
        versions: VersionValues { values: [v3(base)] },
    }
}

/// Identity v3, linked under `base` (`public_url`).
pub fn current(base: &str) -> VersionBody {
    VersionBody { version: v3(base) }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_documents_are_keystones_with_huaweis_version() {
        let version = json!({
            "id": "v3.6", "status": "stable", "updated": "2016-04-04T00:00:00Z",
            "links": [{ "rel": "self", "href": "http://iam.test/v3/" }],
            "media-types": [{ "base": "application/json",
                "type": "application/vnd.openstack.identity-v3+json" }],
        });
        let all = serde_json::to_value(all("http://iam.test")).unwrap();
        assert_eq!(all, json!({ "versions": { "values": [version.clone()] } }));
        let current = serde_json::to_value(current("http://iam.test")).unwrap();
        assert_eq!(current, json!({ "version": version }));
    }
}
