//! The query of a listing (and the flag of a delete) as the SDK sends it: every parameter
//! optional, read here into what the listing selects, with a refusal that says what was
//! wrong. Nothing sent is ignored: a filter either selects or is refused.

use serde::Deserialize;
use utoipa::IntoParams;

use super::fields::{check_tag_key, check_tag_value, MAX_TAGS};
use crate::error::LfError;

/// The vendor's `enterprise_project_id` for "every project the caller may see".
pub const ALL_ENTERPRISE_PROJECTS: &str = "all_granted_eps";

/// The query of `GET /v1/{project_id}/instances`, as sent.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    #[param(value_type = i64, required = false, minimum = 0, maximum = 1000, default = 0)]
    offset: Option<String>,
    #[param(value_type = i64, required = false, minimum = 1, maximum = 1000, default = 10)]
    limit: Option<String>,
    /// Only the instance of this exact name.
    name: Option<String>,
    /// `true` lists the recycle bin only, `false` (the default) everything else.
    #[param(value_type = bool, required = false, default = false)]
    in_recycle_bin: Option<String>,
    /// Only this enterprise project's instances; `all_granted_eps` (the default): every one.
    #[param(pattern = "^[A-Za-z0-9_-]{1,64}$", default = "all_granted_eps")]
    enterprise_project_id: Option<String>,
    /// Only instances carrying every tag named: comma-separated `key=value` (that
    /// value) or `key` (any value), at most 20. Empty: no filter.
    #[param(example = "env=prod,team")]
    tags: Option<String>,
}

/// One condition of a `tags` filter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TagCondition {
    pub key: String,
    /// `None`: any value.
    pub value: Option<String>,
}

/// Which instances a listing asks for.
#[derive(Debug)]
pub struct Page {
    pub offset: i64,
    pub limit: i64,
    /// Only the instance of this exact name.
    pub name: Option<String>,
    /// The recycle bin, or everything else.
    pub in_recycle_bin: bool,
    /// Only this enterprise project's instances (`None`: every one).
    pub enterprise_project_id: Option<String>,
    /// Only instances matching every condition.
    pub tags: Vec<TagCondition>,
}

impl ListQuery {
    /// What the query selects, or why it cannot be read.
    pub fn page(self) -> Result<Page, LfError> {
        Ok(Page {
            offset: number(self.offset.as_deref(), "offset", 0, 0..=1000)?,
            limit: number(self.limit.as_deref(), "limit", 10, 1..=1000)?,
            name: self.name,
            in_recycle_bin: flag(self.in_recycle_bin.as_deref(), "in_recycle_bin")?,
            enterprise_project_id: enterprise_project(self.enterprise_project_id)?,
            tags: tag_conditions(self.tags.as_deref().unwrap_or(""))?,
        })
    }
}

/// The integer query parameter `name`, within `range`; `default` when absent.
fn number(
    value: Option<&str>,
    name: &str,
    default: i64,
    range: std::ops::RangeInclusive<i64>,
) -> Result<i64, LfError> {
    match value {
        None => Ok(default),
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|n| range.contains(n))
            .ok_or_else(|| {
                LfError::BadRequest(format!(
                    "{name} must be an integer from {} to {}.",
                    range.start(),
                    range.end()
                ))
            }),
    }
}

/// The boolean query parameter `name`: `true`, `false`, or absent (false).
pub fn flag(value: Option<&str>, name: &str) -> Result<bool, LfError> {
    match value {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(_) => Err(LfError::BadRequest(format!(
            "{name} must be true or false."
        ))),
    }
}

/// The enterprise project a listing is narrowed to: `None` for every one.
fn enterprise_project(raw: Option<String>) -> Result<Option<String>, LfError> {
    let Some(id) = raw.filter(|id| id != ALL_ENTERPRISE_PROJECTS) else {
        return Ok(None);
    };
    let ok = (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !ok {
        return Err(LfError::BadRequest(
            "enterprise_project_id must be all_granted_eps or 1 to 64 letters, digits, \
             hyphens or underscores."
                .into(),
        ));
    }
    Ok(Some(id))
}

/// The conditions of a `tags` filter: `key=value` or `key`, comma-separated.
fn tag_conditions(raw: &str) -> Result<Vec<TagCondition>, LfError> {
    if raw.is_empty() {
        return Ok(Vec::new());
    }
    let conditions: Vec<&str> = raw.split(',').collect();
    if conditions.len() > MAX_TAGS {
        return Err(LfError::BadRequest("tags may name at most 20 tags.".into()));
    }
    conditions
        .into_iter()
        .map(|c| {
            let (key, value) = match c.split_once('=') {
                Some((k, v)) => (k, Some(v)),
                None => (c, None),
            };
            check_tag_key(key)?;
            value.map(check_tag_value).transpose()?;
            Ok(TagCondition {
                key: key.to_string(),
                value: value.map(str::to_string),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cond(key: &str, value: Option<&str>) -> TagCondition {
        TagCondition {
            key: key.into(),
            value: value.map(Into::into),
        }
    }

    #[test]
    fn a_tags_filter_is_keys_with_or_without_a_value() {
        assert_eq!(tag_conditions("").unwrap(), vec![]);
        assert_eq!(
            tag_conditions("env=prod,team,owner=").unwrap(),
            vec![
                cond("env", Some("prod")),
                cond("team", None),
                cond("owner", Some(""))
            ]
        );
        // A value may hold `=` (the vendor's tag rule allows it): the first one splits.
        assert_eq!(
            tag_conditions("a=b=c").unwrap(),
            vec![cond("a", Some("b=c"))]
        );
        for bad in ["=v", "a=b;c", "env=prod,", ",", " k", "_sys_k"] {
            assert!(tag_conditions(bad).is_err(), "{bad}");
        }
        let many = (0..21)
            .map(|n| format!("k{n}"))
            .collect::<Vec<_>>()
            .join(",");
        assert!(tag_conditions(&many).is_err());
    }

    #[test]
    fn every_enterprise_project_is_no_filter() {
        assert_eq!(enterprise_project(None).unwrap(), None);
        assert_eq!(
            enterprise_project(Some("all_granted_eps".into())).unwrap(),
            None
        );
        assert_eq!(
            enterprise_project(Some("0".into())).unwrap(),
            Some("0".into())
        );
        for bad in ["", "a b", "x/y"] {
            assert!(enterprise_project(Some(bad.into())).is_err(), "{bad}");
        }
    }
}
