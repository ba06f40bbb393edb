//! A small JSON Schema check, enough for the keywords utoipa writes into the OpenAPI
//! document ($ref, type, properties, required, additionalProperties, items, enum, anyOf,
//! oneOf, bounds), so the tests can hold real answers against the documented schemas.
//! `pattern` is left to the schemathesis run, which has a regex engine.

use serde_json::Value;

/// The problems of `value` against `schema`, resolving `$ref`s in `doc`; empty when valid.
pub fn problems(doc: &Value, schema: &Value, value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    check(doc, schema, value, "$", &mut out);
    out
}

fn resolve<'d>(doc: &'d Value, schema: &'d Value) -> &'d Value {
    match schema["$ref"].as_str() {
        Some(r) => {
            let name = r.trim_start_matches("#/components/schemas/");
            resolve(doc, &doc["components"]["schemas"][name])
        }
        None => schema,
    }
}

fn type_matches(t: &str, v: &Value) -> bool {
    match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        _ => false,
    }
}

fn check(doc: &Value, schema: &Value, v: &Value, at: &str, out: &mut Vec<String>) {
    let s = resolve(doc, schema);
    let types: Vec<&str> = match &s["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if !types.is_empty() && !types.iter().any(|t| type_matches(t, v)) {
        out.push(format!("{at}: {v} is not {types:?}"));
        return;
    }
    if let Some(values) = s["enum"].as_array() {
        if !values.contains(v) {
            out.push(format!("{at}: {v} not in {values:?}"));
        }
    }
    for (key, one) in [("anyOf", false), ("oneOf", true)] {
        if let Some(alternatives) = s[key].as_array() {
            let matching = alternatives
                .iter()
                .filter(|a| problems(doc, a, v).is_empty())
                .count();
            if matching == 0 || (one && matching > 1) {
                out.push(format!("{at}: {matching} alternatives of {key} match {v}"));
            }
        }
    }
    bounds(s, v, at, out);
    if let Value::Object(fields) = v {
        let properties = s["properties"].as_object();
        for name in s["required"].as_array().into_iter().flatten() {
            if !fields.contains_key(name.as_str().unwrap_or_default()) {
                out.push(format!("{at}: {name} is required"));
            }
        }
        for (name, field) in fields {
            match properties.and_then(|p| p.get(name)) {
                Some(p) => check(doc, p, field, &format!("{at}.{name}"), out),
                None if s["additionalProperties"] == Value::Bool(false) => {
                    out.push(format!("{at}: {name} is not documented"))
                }
                None => {}
            }
        }
    }
    if let (Value::Array(items), Some(schema)) = (v, s.get("items")) {
        for (i, item) in items.iter().enumerate() {
            check(doc, schema, item, &format!("{at}[{i}]"), out);
        }
    }
}

fn bounds(s: &Value, v: &Value, at: &str, out: &mut Vec<String>) {
    let n = |k: &str| s[k].as_f64();
    if let Some(x) = v.as_f64() {
        if n("minimum").is_some_and(|m| x < m) || n("maximum").is_some_and(|m| x > m) {
            out.push(format!("{at}: {x} out of bounds"));
        }
    }
    if let Some(text) = v.as_str() {
        let len = text.chars().count() as f64;
        if n("minLength").is_some_and(|m| len < m) || n("maxLength").is_some_and(|m| len > m) {
            out.push(format!("{at}: length {len} out of bounds"));
        }
    }
    if let Some(items) = v.as_array() {
        let len = items.len() as f64;
        if n("minItems").is_some_and(|m| len < m) || n("maxItems").is_some_and(|m| len > m) {
            out.push(format!("{at}: {len} items out of bounds"));
        }
    }
}
