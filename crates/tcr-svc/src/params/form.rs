//! Action parameters sent form-encoded (a TC3 GET's query, a v1 request's body or query):
//! the SDKs flatten them, a list item as `Name.0`, a field of an object as `Name.Field`
//! (tencentcloud-sdk-python `_format_params`, the Node SDK's `mergeData`), and every value
//! arrives as text. This folds them back into the JSON shape a POST body has, values left
//! as strings; [`super::Params`] reads numbers and booleans out of them.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::error::TcrError;

/// Deeper than any TCR parameter (`Filters.0.Values.0` is four): a deeper name is refused
/// before anything is built from it.
const MAX_DEPTH: usize = 8;

enum Node {
    Leaf(String),
    Branch(BTreeMap<String, Node>),
}

/// The parameters `pairs` (names as sent, values decoded) as one JSON object.
pub fn unflatten(pairs: Vec<(String, String)>) -> Result<Map<String, Value>, TcrError> {
    let mut root = BTreeMap::new();
    for (name, value) in pairs {
        let path: Vec<&str> = name.split('.').collect();
        if path.len() > MAX_DEPTH || path.iter().any(|s| s.is_empty()) {
            return Err(invalid(&name, "is not a parameter name"));
        }
        insert(&mut root, &path, value)
            .map_err(|()| invalid(&name, "conflicts with another parameter"))?;
    }
    root.into_iter()
        .map(|(name, node)| Ok((name.clone(), value_of(node).map_err(|m| invalid(&name, m))?)))
        .collect()
}

fn invalid(name: &str, what: &str) -> TcrError {
    let shown: String = name.chars().take(64).collect();
    TcrError::InvalidParameter(format!("The parameter {shown} {what}."))
}

/// Puts `value` at `path`; `Err` when a value and a list or object would share a name.
fn insert(map: &mut BTreeMap<String, Node>, path: &[&str], value: String) -> Result<(), ()> {
    let Some((first, rest)) = path.split_first() else {
        return Err(());
    };
    if rest.is_empty() {
        return match map.insert((*first).to_string(), Node::Leaf(value)) {
            None => Ok(()),
            Some(_) => Err(()),
        };
    }
    let node = map
        .entry((*first).to_string())
        .or_insert_with(|| Node::Branch(BTreeMap::new()));
    match node {
        Node::Branch(children) => insert(children, rest, value),
        Node::Leaf(_) => Err(()),
    }
}

/// A branch whose names are all item numbers is a list (`0` to `n - 1`, each once); any
/// other branch is an object.
fn value_of(node: Node) -> Result<Value, &'static str> {
    let children = match node {
        Node::Leaf(text) => return Ok(Value::String(text)),
        Node::Branch(children) => children,
    };
    let numbered = children
        .keys()
        .filter(|k| k.bytes().all(|b| b.is_ascii_digit()))
        .count();
    if numbered == 0 {
        let mut object = Map::new();
        for (name, child) in children {
            object.insert(name, value_of(child)?);
        }
        return Ok(Value::Object(object));
    }
    if numbered != children.len() {
        return Err("mixes list items with fields");
    }
    let mut items: Vec<(usize, Node)> = Vec::with_capacity(children.len());
    for (index, child) in children {
        let canonical = index == "0" || !index.starts_with('0');
        let number = index.parse::<usize>().ok().filter(|_| canonical);
        items.push((number.ok_or("has an item number that is not one")?, child));
    }
    items.sort_by_key(|(i, _)| *i);
    if items
        .iter()
        .enumerate()
        .any(|(want, (got, _))| want != *got)
    {
        return Err("skips list items: number them from 0, one after another");
    }
    items
        .into_iter()
        .map(|(_, child)| value_of(child))
        .collect::<Result<Vec<_>, _>>()
        .map(Value::Array)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn fold(pairs: &[(&str, &str)]) -> Result<Value, TcrError> {
        let owned = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        unflatten(owned).map(Value::Object)
    }

    #[test]
    fn the_sdks_flattening_folds_back() {
        let folded = fold(&[
            ("Registryids.1", "tcr-2"),
            ("Registryids.0", "tcr-1"),
            ("Filters.0.Name", "RegistryName"),
            ("Filters.0.Values.0", "x"),
            ("Limit", "20"),
            ("TagSpecification.Tags.0.Key", "k"),
        ])
        .unwrap();
        assert_eq!(
            folded,
            json!({"Registryids": ["tcr-1", "tcr-2"], "Limit": "20",
                "Filters": [{"Name": "RegistryName", "Values": ["x"]}],
                "TagSpecification": {"Tags": [{"Key": "k"}]}})
        );
    }

    #[test]
    fn ambiguous_names_are_refused() {
        let deep = ["A"; MAX_DEPTH + 1].join(".");
        for pairs in [
            vec![("A", "1"), ("A.0", "x")],
            vec![("A.0", "x"), ("A", "1")],
            vec![("A.0", "x"), ("A.B", "y")],
            vec![("A.1", "x")],
            vec![("A.0", "x"), ("A.2", "y")],
            vec![("A.00", "x")],
            vec![("A.01", "x"), ("A.0", "y")],
            vec![("A.99999999999999999999999", "x")],
            vec![("A..B", "x")],
            vec![(".A", "x")],
            vec![("A.", "x")],
            vec![(deep.as_str(), "x")],
        ] {
            assert!(
                matches!(fold(&pairs), Err(TcrError::InvalidParameter(m)) if m.starts_with("The parameter A") || m.starts_with("The parameter .")),
                "{pairs:?}"
            );
        }
    }
}
