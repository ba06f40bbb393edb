//! What a namespace request may say: the bodies `huaweicloudsdkswr` sends, the vendor's
//! name rule and the list's query, each refused in SWR's envelope when it does not fit.
//! Nothing here reads the database; `domain::namespaces` calls it, `repo::namespaces`
//! stores what it lets through.

use std::collections::HashMap;

use credential_core::names::validate_swr_credential_name;
use serde::de::value::StrDeserializer;
use serde::de::{DeserializeOwned, IntoDeserializer};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::error::SwrError;
use crate::repo::namespaces::{ListQuery, OrderColumn};

/// A page of namespaces when `limit` is not given, as the vendor's.
const DEFAULT_LIMIT: i64 = 10;

#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = CreateNamespaceBody)]
pub struct CreateBody {
    /// 1 to 64 characters of `a-z` and `0-9`, with single `.`, `_` or `-` between them;
    /// unique in the registry, deleted namespaces' names included.
    #[schema(
        min_length = 1,
        max_length = 64,
        pattern = "^[a-z0-9]+([._-][a-z0-9]+)*$"
    )]
    pub namespace_name: String,
    /// Private when left out.
    #[serde(default)]
    pub metadata: Option<Metadata>,
}

#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = UpdateNamespaceBody)]
pub struct UpdateBody {
    pub metadata: Metadata,
    /// Read only to refuse it: no image is scanned, so there is nothing to allow. Not in
    /// the schema, which allows no other field.
    #[serde(default, deserialize_with = "crate::domain::present")]
    #[schema(ignore)]
    cve_allowlist: Option<Value>,
}

/// The SDK's `NamespaceMetadata`: every value is a string. Only `public` is kept; the
/// scanning settings are refused rather than dropped, since nothing here scans images
/// (and are not in the schema, which allows no other field).
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NamespaceMetadata)]
pub struct Metadata {
    /// Whether anyone may pull the namespace's repositories: the string `"true"` or
    /// `"false"`, as the SDK sends it.
    #[schema(pattern = "^(true|false)$", example = "true")]
    public: String,
    #[serde(default, deserialize_with = "crate::domain::present")]
    #[schema(ignore)]
    auto_scan: Option<Value>,
    #[serde(default, deserialize_with = "crate::domain::present")]
    #[schema(ignore)]
    prevent_vul: Option<Value>,
    #[serde(default, deserialize_with = "crate::domain::present")]
    #[schema(ignore)]
    severity: Option<Value>,
}

impl UpdateBody {
    /// Whether the namespace is to be public; the CVE allowlist is refused.
    pub fn public(&self) -> Result<bool, SwrError> {
        if self.cve_allowlist.is_some() {
            return Err(SwrError::BadRequest(
                "cve_allowlist is not supported: images are not scanned.".into(),
            ));
        }
        self.metadata.public()
    }
}

impl Metadata {
    /// Whether the namespace is public: `"true"` or `"false"`, as the SDK sends it.
    pub fn public(&self) -> Result<bool, SwrError> {
        if self.auto_scan.is_some() || self.prevent_vul.is_some() || self.severity.is_some() {
            return Err(SwrError::BadRequest(
                "metadata.auto_scan, metadata.prevent_vul and metadata.severity are not supported: images are not scanned.".into(),
            ));
        }
        parse_bool("metadata.public", &self.public)
    }
}

fn parse_bool(field: &str, value: &str) -> Result<bool, SwrError> {
    match value {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(SwrError::BadRequest(format!(
            "{field} must be the string \"true\" or \"false\"."
        ))),
    }
}

/// The vendor's rule (the credential names' rule): 1 to 64 characters of `a-z`, `0-9`
/// and single `.`, `_` or `-` between them.
pub fn validate_namespace_name(name: &str) -> Result<(), SwrError> {
    validate_swr_credential_name(name)
        .map_err(|e| SwrError::InvalidName(format!("Invalid namespace name: {e}")))
}

/// The list's query: the vendor's filters, order and page; anything else is refused.
pub fn list_query(query: &HashMap<String, String>) -> Result<ListQuery, SwrError> {
    const KNOWN: [&str; 6] = [
        "offset",
        "limit",
        "order_column",
        "order_type",
        "name",
        "public",
    ];
    crate::domain::only_known(query, &KNOWN)?;
    let (offset, limit) = crate::domain::page_bounds(query, DEFAULT_LIMIT)?;
    let (order, descending) = order(query)?;
    let name_contains = name_filter(query)?;
    // As the SDK documents the filter: empty is no filter, "true" the public namespaces,
    // any other value the private ones.
    let public = query
        .get("public")
        .filter(|v| !v.is_empty())
        .map(|v| v == "true");
    Ok(ListQuery {
        name_contains,
        public,
        order,
        descending,
        offset,
        limit,
    })
}

/// `order_column`: what the list is ordered by.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = NamespaceOrderColumn)]
pub enum OrderBy {
    CreatedAt,
    UpdatedAt,
    Name,
}

/// `order_type`: ascending or descending.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum OrderType {
    Asc,
    Desc,
}

/// The value of the query parameter `field`, one of `T`'s (its serde names), or `None`
/// when the query has none.
fn one_of<T: DeserializeOwned>(
    query: &HashMap<String, String>,
    field: &str,
    refusal: &str,
) -> Result<Option<T>, SwrError> {
    let Some(value) = query.get(field) else {
        return Ok(None);
    };
    let text: StrDeserializer<'_, serde::de::value::Error> = value.as_str().into_deserializer();
    T::deserialize(text)
        .map(Some)
        .map_err(|_| SwrError::BadRequest(refusal.into()))
}

/// The list's order: `order_column` (created_at by default) and `order_type` (asc by
/// default).
fn order(query: &HashMap<String, String>) -> Result<(OrderColumn, bool), SwrError> {
    let column = match one_of(
        query,
        "order_column",
        "order_column must be updated_at, created_at or name.",
    )? {
        None | Some(OrderBy::CreatedAt) => OrderColumn::CreatedAt,
        Some(OrderBy::UpdatedAt) => OrderColumn::UpdatedAt,
        Some(OrderBy::Name) => OrderColumn::Name,
    };
    let descending = matches!(
        one_of(query, "order_type", "order_type must be asc or desc.")?,
        Some(OrderType::Desc)
    );
    Ok((column, descending))
}

/// The list's `name` filter: part of a name, or none.
fn name_filter(query: &HashMap<String, String>) -> Result<Option<String>, SwrError> {
    match query.get("name") {
        None => Ok(None),
        Some(text) if is_name_fragment(text) => Ok(Some(text.clone())),
        Some(_) => Err(SwrError::InvalidName(
            "name must be 1 to 64 characters of a-z, 0-9, '.', '_' and '-'.".into(),
        )),
    }
}

/// Part of a name: what the list's `name` filter looks for.
fn is_name_fragment(text: &str) -> bool {
    (1..=64).contains(&text.len())
        && text.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_list_query_takes_the_vendors_parameters_and_refuses_the_rest() {
        let q = list_query(&query(&[])).unwrap();
        assert_eq!(
            (q.offset, q.limit, q.order, q.descending),
            (0, 10, OrderColumn::CreatedAt, false)
        );
        let q = list_query(&query(&[
            ("order_column", "updated_at"),
            ("order_type", "desc"),
            ("name", "team_a"),
            ("public", "true"),
            ("limit", "20"),
            ("offset", "40"),
        ]))
        .unwrap();
        assert_eq!(
            (q.order, q.descending, q.public),
            (OrderColumn::UpdatedAt, true, Some(true))
        );
        for (value, public) in [("false", Some(false)), ("yes", Some(false)), ("", None)] {
            let q = list_query(&query(&[("public", value)])).unwrap();
            assert_eq!(q.public, public, "{value:?}");
        }
        assert_eq!(
            (q.offset, q.limit, q.name_contains.as_deref()),
            (40, 20, Some("team_a"))
        );
        for bad in [
            ("order_column", "size"),
            ("order_type", "up"),
            ("name", "Team"),
            ("name", "a%"),
            ("limit", "101"),
            ("surprise", "1"),
        ] {
            assert!(list_query(&query(&[bad])).is_err(), "{bad:?}");
        }
    }
}
