//! The service catalog: which services of the stack answer where, from configuration
//! alone (`public_url` for iam-svc, `[catalog]` for the others). `/v3/auth/catalog` and
//! every token's `catalog` show this one list; a service without a configured address is
//! left out rather than given a guessed one.

use serde::Serialize;
use utoipa::ToSchema;

use crate::config::IamConfig;
use crate::views::{self, Links};

/// Huawei lists IAM, a global service, in every region.
const GLOBAL_REGION: &str = "*";

/// A service of the catalog.
#[derive(Serialize, ToSchema)]
pub struct CatalogEntry<'a> {
    /// `identity` for iam-svc; the service's name for the others.
    #[serde(rename = "type")]
    kind: &'static str,
    /// The service's name.
    id: &'static str,
    /// `iam`, `swr`, `lakeformation` or `tcr`.
    name: &'static str,
    endpoints: Vec<CatalogEndpoint<'a>>,
}

/// Where a service of the catalog answers.
#[derive(Serialize, ToSchema)]
pub struct CatalogEndpoint<'a> {
    /// `<service>-public`.
    id: String,
    /// iam-svc: `public_url` + `/v3`; the others: their configured address.
    url: String,
    /// `*` for iam-svc (global), else `catalog.region`.
    region: &'a str,
    /// The same as `region`.
    region_id: &'a str,
    /// Always `public`.
    interface: &'static str,
}

/// `{"catalog": [...], "links": {"self": ...}}`.
#[derive(Serialize, ToSchema)]
pub struct CatalogBody<'a> {
    pub catalog: Vec<CatalogEntry<'a>>,
    pub links: Links,
}

/// Every service the configuration gives an address: iam-svc first, then swr-svc,
/// lakeformation-svc and tcr-svc.
pub fn entries(config: &IamConfig) -> Vec<CatalogEntry<'_>> {
    let iam = entry(
        "identity",
        "iam",
        format!("{}/v3", config.public_url),
        GLOBAL_REGION,
    );
    let region = config.catalog.region.as_str();
    let regional = config
        .catalog
        .services()
        .map(|(name, url)| entry(name, name, url.to_string(), region));
    std::iter::once(iam).chain(regional).collect()
}

/// The answer of `GET /v3/auth/catalog`.
pub fn body(config: &IamConfig) -> CatalogBody<'_> {
    CatalogBody {
        catalog: entries(config),
        links: views::self_link(&config.public_url, "/v3/auth/catalog"),
    }
}

fn entry<'a>(
    kind: &'static str,
    name: &'static str,
    url: String,
    region: &'a str,
) -> CatalogEntry<'a> {
    CatalogEntry {
        kind,
        id: name,
        name,
        endpoints: vec![CatalogEndpoint {
            id: format!("{name}-public"),
            url,
            region,
            region_id: region,
            interface: "public",
        }],
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn every_configured_service_is_listed_and_no_other() {
        let config = IamConfig::from_toml(
            "public_url = \"http://iam.test\"\n[catalog]\nregion = \"r1\"\nlakeformation_url = \"\"",
        )
        .unwrap();
        let body = serde_json::to_value(body(&config)).unwrap();
        let endpoint = |name: &str, url: &str, region: &str| {
            json!({ "type": if name == "iam" { "identity" } else { name }, "id": name, "name": name,
                "endpoints": [{ "id": format!("{name}-public"), "url": url, "region": region,
                    "region_id": region, "interface": "public" }] })
        };
        assert_eq!(
            body,
            json!({
                "catalog": [
                    endpoint("iam", "http://iam.test/v3", "*"),
                    endpoint("swr", "http://127.0.0.1:8082", "r1"),
                    endpoint("tcr", "http://127.0.0.1:8084", "r1"),
                ],
                "links": { "self": "http://iam.test/v3/auth/catalog" },
            })
        );
    }
}
