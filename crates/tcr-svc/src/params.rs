//! Action parameters: a JSON object read field by field, so every problem gets the
//! Tencent code it should (MissingParameter, UnknownParameter, InvalidParameter). They
//! come as a JSON body (TC3 POST) or form-encoded ([`form`]: a TC3 GET, a v1 request),
//! where every value is text: there a number or a boolean is read out of its text.

pub mod form;

use credential_core::names::{validate_text, TEXT_MAX};
use serde_json::{Map, Value};

use crate::error::TcrError;

/// The body of one action. Take what the action knows, then [`Params::finish`] refuses
/// anything left over.
pub struct Params {
    map: Map<String, Value>,
    /// Form-encoded: numbers and booleans arrive as text.
    form: bool,
}

impl Params {
    /// The body must be a JSON object (an empty body is `{}`), and no string in it, however
    /// deep, may hold NUL: PostgreSQL refuses NUL in text, so a list value or a nested
    /// field would otherwise reach the database and fail there.
    pub fn parse(body: &[u8]) -> Result<Params, TcrError> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Params::of(Map::new(), false));
        }
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(map)) => Params::checked(map, false),
            Ok(_) => Err(TcrError::InvalidParameter(
                "The request body must be a JSON object.".into(),
            )),
            Err(e) => Err(TcrError::InvalidParameter(format!(
                "The request body is not valid JSON (line {} column {}).",
                e.line(),
                e.column()
            ))),
        }
    }

    /// Form-encoded parameters (names as sent, values decoded), folded back into the
    /// shape a JSON body has ([`form::unflatten`]).
    pub fn from_form(pairs: Vec<(String, String)>) -> Result<Params, TcrError> {
        Params::checked(form::unflatten(pairs)?, true)
    }

    /// A query string's parameters ([`Params::from_form`]).
    pub fn from_query(query: &str) -> Result<Params, TcrError> {
        let pairs = credential_core::sign::tencent_v1::parse_form(query)
            .map_err(|e| TcrError::InvalidParameter(format!("The query string: {e}.")))?;
        Params::from_form(pairs)
    }

    fn of(map: Map<String, Value>, form: bool) -> Params {
        Params { map, form }
    }

    /// No string in `map`, however deep, may hold NUL: PostgreSQL refuses NUL in text, so
    /// a list value or a nested field would otherwise reach the database and fail there.
    fn checked(map: Map<String, Value>, form: bool) -> Result<Params, TcrError> {
        if let Some((name, _)) = map.iter().find(|(_, v)| holds_nul(v)) {
            return Err(TcrError::InvalidParameterValue(format!(
                "{name} must not contain NUL characters."
            )));
        }
        Ok(Params::of(map, form))
    }

    fn take(&mut self, name: &str) -> Option<Value> {
        self.map.remove(name).filter(|v| !v.is_null())
    }

    pub fn optional_str(&mut self, name: &str) -> Result<Option<String>, TcrError> {
        match self.take(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(TcrError::InvalidParameter(format!(
                "{name} must be a string."
            ))),
        }
    }

    pub fn required_str(&mut self, name: &str) -> Result<String, TcrError> {
        self.optional_str(name)?
            .ok_or_else(|| TcrError::MissingParameter(name.into()))
    }

    /// Free text (a description): at most [`TEXT_MAX`] characters, the column's, and no
    /// control characters.
    pub fn optional_text(&mut self, name: &str) -> Result<Option<String>, TcrError> {
        let text = self.optional_str(name)?;
        if let Some(t) = &text {
            if validate_text(t, TEXT_MAX).is_err() {
                return Err(TcrError::InvalidParameter(format!(
                    "{name} must be at most {TEXT_MAX} characters without control characters."
                )));
            }
        }
        Ok(text)
    }

    pub fn optional_i64(&mut self, name: &str) -> Result<Option<i64>, TcrError> {
        match self.take(name) {
            None => Ok(None),
            Some(Value::Number(n)) => n
                .as_i64()
                .map(Some)
                .ok_or_else(|| TcrError::InvalidParameter(format!("{name} must be an integer."))),
            Some(Value::String(text)) if self.form => text
                .parse::<i64>()
                .map(Some)
                .map_err(|_| TcrError::InvalidParameter(format!("{name} must be an integer."))),
            Some(_) => Err(TcrError::InvalidParameter(format!(
                "{name} must be an integer."
            ))),
        }
    }

    pub fn required_i64(&mut self, name: &str) -> Result<i64, TcrError> {
        self.optional_i64(name)?
            .ok_or_else(|| TcrError::MissingParameter(name.into()))
    }

    pub fn optional_bool(&mut self, name: &str) -> Result<Option<bool>, TcrError> {
        match self.take(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(b)),
            // tencentcloud-sdk-python writes Python's `True`, the Node SDK `true`.
            Some(Value::String(text)) if self.form => match text.as_str() {
                "true" | "True" => Ok(Some(true)),
                "false" | "False" => Ok(Some(false)),
                _ => Err(TcrError::InvalidParameter(format!(
                    "{name} must be a boolean."
                ))),
            },
            Some(_) => Err(TcrError::InvalidParameter(format!(
                "{name} must be a boolean."
            ))),
        }
    }

    pub fn optional_str_list(&mut self, name: &str) -> Result<Option<Vec<String>>, TcrError> {
        match self.take(name) {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .into_iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s),
                    _ => Err(TcrError::InvalidParameter(format!(
                        "{name} must be a list of strings."
                    ))),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(_) => Err(TcrError::InvalidParameter(format!(
                "{name} must be a list of strings."
            ))),
        }
    }

    /// A parameter as raw JSON, for shapes the typed getters do not cover.
    pub fn optional_raw(&mut self, name: &str) -> Option<Value> {
        self.take(name)
    }

    /// Accept and ignore a parameter the vendor defines but this service does not act on.
    pub fn ignore(&mut self, name: &str) {
        self.map.remove(name);
    }

    /// Refuse whatever the action did not take.
    pub fn finish(self) -> Result<(), TcrError> {
        match self.map.keys().next() {
            Some(name) => Err(TcrError::UnknownParameter(name.clone())),
            None => Ok(()),
        }
    }
}

/// Whether a string of `v`, or a key of an object in it, holds NUL.
fn holds_nul(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(holds_nul),
        Value::Object(m) => m.iter().any(|(k, v)| k.contains('\0') || holds_nul(v)),
        _ => false,
    }
}

/// Whether `v` is an object with no field but the `known` ones (each may be missing): a
/// nested field nobody reads is refused, never ignored.
pub fn has_only(v: &Value, known: &[&str]) -> bool {
    v.as_object()
        .is_some_and(|m| m.keys().all(|k| known.contains(&k.as_str())))
}

/// `Offset` (default 0) and `Limit` (default `default`, 1..=max).
pub fn paging(p: &mut Params, default: i64, max: i64) -> Result<(i64, i64), TcrError> {
    let offset = p.optional_i64("Offset")?.unwrap_or(0);
    if offset < 0 {
        return Err(TcrError::InvalidParameterValue(
            "Offset must be at least 0.".into(),
        ));
    }
    let limit = p.optional_i64("Limit")?.unwrap_or(default);
    if !(1..=max).contains(&limit) {
        return Err(TcrError::InvalidParameterValue(format!(
            "Limit must be between 1 and {max}."
        )));
    }
    Ok((offset, limit))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_problem_gets_its_code() {
        let mut p = Params::parse(br#"{"A": "x", "B": 3, "C": true, "D": 1}"#).unwrap();
        assert_eq!(p.required_str("A").unwrap(), "x");
        assert!(matches!(p.required_str("Z"), Err(TcrError::MissingParameter(n)) if n == "Z"));
        assert!(matches!(
            p.optional_str("B"),
            Err(TcrError::InvalidParameter(_))
        ));
        assert_eq!(p.optional_bool("C").unwrap(), Some(true));
        assert!(matches!(p.finish(), Err(TcrError::UnknownParameter(n)) if n == "D"));
        assert!(Params::parse(b"").unwrap().finish().is_ok());
        assert!(matches!(
            Params::parse(b"[1]"),
            Err(TcrError::InvalidParameter(_))
        ));
        assert!(matches!(
            Params::parse(b"{"),
            Err(TcrError::InvalidParameter(_))
        ));
        // NUL anywhere, at any depth, names the parameter that holds it.
        for body in [
            &br#"{"A": "a\u0000b"}"#[..],
            br#"{"A": ["x", "a\u0000b"]}"#,
            br#"{"A": [{"Values": ["a\u0000b"]}]}"#,
            br#"{"A": {"K\u0000": 1}}"#,
        ] {
            assert!(
                matches!(Params::parse(body), Err(TcrError::InvalidParameterValue(m)) if m.starts_with("A ")),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }
}
