//! Strict JSON bodies: parsed as the request type says, with no second reading.
//!
//! serde's derived structs also accept a JSON array, read by position, so
//! `[{"name": "x"}]` or `{"user": ["x"]}` would pass as an object; and PostgreSQL refuses
//! text with NUL characters. [`StrictJson`] refuses both up front with a clear 400, the
//! same on every backend.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use actix_web::{web, FromRequest, HttpRequest, ResponseError};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

/// Why a well-formed JSON body is still refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    /// A value does not fit the request type; the message is safe to show.
    #[error("{0}")]
    Invalid(String),
}

/// A JSON body of type `T`, whose refusals come out as the service's error `E`. Syntax,
/// size and content-type errors come from the app's `web::JsonConfig` as usual.
pub struct StrictJson<T, E> {
    value: T,
    _error: PhantomData<fn() -> E>,
}

impl<T, E> StrictJson<T, E> {
    pub fn into_inner(self) -> T {
        self.value
    }
}

impl<T, E> FromRequest for StrictJson<T, E>
where
    T: DeserializeOwned + Serialize + 'static,
    E: From<BodyError> + ResponseError + 'static,
{
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let raw = web::Json::<Value>::from_request(req, payload);
        Box::pin(async move {
            let raw = raw.await?.into_inner();
            let value = parse(raw).map_err(|e| actix_web::Error::from(E::from(e)))?;
            Ok(StrictJson {
                value,
                _error: PhantomData,
            })
        })
    }
}

/// A body the client may leave out (the SDKs send none when the operation's model has no
/// body) or a JSON object, read as strictly as [`StrictJson`] reads one; nothing but
/// whitespace is `T::default()`.
pub fn optional<T: DeserializeOwned + Serialize + Default>(body: &[u8]) -> Result<T, BodyError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    let raw: Value = serde_json::from_slice(body).map_err(|e| BodyError::Invalid(describe(&e)))?;
    parse(raw)
}

/// The body of an operation that takes none, read with [`optional`]: nothing, or `{}` as
/// generic clients send. Any field would be one accepted and ignored, so it is refused.
#[derive(Debug, Default, serde::Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NoFields {}

/// Check and convert an already-parsed body.
pub fn parse<T: DeserializeOwned + Serialize>(raw: Value) -> Result<T, BodyError> {
    if contains_nul(&raw) {
        return Err(BodyError::Invalid(
            "Text must not contain NUL characters.".into(),
        ));
    }
    // Read through a reference: the same errors as `from_value`, without copying the body.
    let value = T::deserialize(&raw).map_err(|e| BodyError::Invalid(describe(&e)))?;
    let parsed = serde_json::to_value(&value).map_err(|e| BodyError::Invalid(describe(&e)))?;
    same_shape(&raw, &parsed, "body")?;
    Ok(value)
}

/// serde's message names missing and unknown fields, which helps; for wrong types and
/// values it quotes the value, which may be a password, so only the kind of error is kept.
pub fn describe(e: &serde_json::Error) -> String {
    let text = e.to_string();
    if e.is_syntax() || e.is_eof() {
        return format!("Malformed JSON at line {} column {}.", e.line(), e.column());
    }
    if text.contains("invalid type")
        || text.contains("invalid value")
        || text.contains("invalid length")
    {
        return "Invalid request body: a value has the wrong type or form.".into();
    }
    let text = match text.find(" at line ") {
        Some(i) => &text[..i],
        None => text.as_str(),
    };
    // "unknown variant `<value>`, expected ...": the list of variants helps, the value
    // is the sender's. The list is made of the type's own names, so the last separator
    // is the real one whatever the value holds.
    if let Some(rest) = text.strip_prefix("unknown variant `") {
        let expected = [
            rest.rfind("`, expected "),
            rest.rfind("`, there are no variants"),
        ]
        .into_iter()
        .flatten()
        .max()
        .and_then(|i| rest.get(i + 1..))
        .unwrap_or("");
        return format!("Invalid request body: unknown variant{expected}.");
    }
    format!("Invalid request body: {text}.")
}

fn contains_nul(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(contains_nul),
        Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || contains_nul(v)),
        _ => false,
    }
}

/// Where the request type has an object, the body must have had one too (not an array
/// read by position), all the way down.
fn same_shape(input: &Value, parsed: &Value, path: &str) -> Result<(), BodyError> {
    let wrong = || {
        BodyError::Invalid(format!(
            "Invalid request body: {path} must be a JSON object."
        ))
    };
    match (input, parsed) {
        (Value::Object(i), Value::Object(p)) => {
            for (key, pv) in p {
                if let Some(iv) = i.get(key) {
                    same_shape(iv, pv, &format!("{path}.{key}"))?;
                }
            }
            Ok(())
        }
        (Value::Array(i), Value::Array(p)) => {
            for (n, (iv, pv)) in i.iter().zip(p).enumerate() {
                same_shape(iv, pv, &format!("{path}[{n}]"))?;
            }
            Ok(())
        }
        (_, Value::Object(_)) => Err(wrong()),
        _ => Ok(()),
    }
}

/// True when the request target carries an encoded NUL (`%00`), which no identifier,
/// name or query value of ours may contain.
pub fn has_encoded_nul(uri: &actix_web::http::Uri) -> bool {
    uri.path_and_query().is_some_and(|pq| {
        pq.as_str()
            .as_bytes()
            .windows(3)
            .any(|w| w[0] == b'%' && w[1] == b'0' && w[2] == b'0')
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Outer {
        user: Inner,
        #[serde(default)]
        tags: Vec<String>,
    }

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        name: String,
        #[serde(default)]
        enabled: Option<bool>,
    }

    #[test]
    fn objects_pass() {
        let v = serde_json::json!({"user": {"name": "a"}, "tags": ["x"]});
        let o: Outer = parse(v).unwrap();
        assert_eq!(o.user.name, "a");
    }

    #[test]
    fn arrays_in_place_of_objects_are_refused() {
        for v in [
            serde_json::json!([{"name": "a"}]),
            serde_json::json!({"user": ["a", null]}),
            serde_json::json!([["a"]]),
        ] {
            assert!(parse::<Outer>(v.clone()).is_err(), "{v}");
        }
    }

    #[test]
    fn nul_is_refused_and_values_are_not_echoed() {
        let err = parse::<Outer>(serde_json::json!({"user": {"name": "a\u{0}b"}})).unwrap_err();
        assert!(err.to_string().contains("NUL"));
        let err =
            parse::<Outer>(serde_json::json!({"user": {"name": "secret-value-123"}, "tags": "x"}))
                .unwrap_err();
        assert!(!err.to_string().contains("secret-value"), "{err}");
        let err = parse::<Outer>(serde_json::json!({"user": {"name": 7}})).unwrap_err();
        assert!(!err.to_string().contains('7'), "{err}");
    }

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Signed {
        algorithm: Algorithm,
    }

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    enum Algorithm {
        #[serde(rename = "SDK-HMAC-SHA256")]
        Sdk,
    }

    /// Found by fuzzing (fuzz/fuzz_targets/strict_json.rs): serde's "unknown variant"
    /// message quoted the value sent.
    #[test]
    fn an_unknown_variant_names_the_variants_not_the_value() {
        for sent in [
            "secret-value-123",
            "x`, expected `y",
            "`, there are no variants",
        ] {
            let err = parse::<Signed>(serde_json::json!({ "algorithm": sent })).unwrap_err();
            assert_eq!(
                err.to_string(),
                "Invalid request body: unknown variant, expected `SDK-HMAC-SHA256`.",
                "{sent}"
            );
        }
    }

    #[test]
    fn missing_and_unknown_fields_are_named() {
        let err = parse::<Outer>(serde_json::json!({"user": {}})).unwrap_err();
        assert!(err.to_string().contains("missing field `name`"), "{err}");
        let err = parse::<Outer>(serde_json::json!({"user": {"name": "a", "x": 1}})).unwrap_err();
        assert!(err.to_string().contains("unknown field `x`"), "{err}");
    }

    #[test]
    fn encoded_nul_in_the_target_is_seen() {
        let uri: actix_web::http::Uri = "/v3/users/a%00b?x=1".parse().unwrap();
        assert!(has_encoded_nul(&uri));
        let uri: actix_web::http::Uri = "/v3/users/a?x=%00".parse().unwrap();
        assert!(has_encoded_nul(&uri));
        let uri: actix_web::http::Uri = "/v3/users/a%2F00".parse().unwrap();
        assert!(!has_encoded_nul(&uri));
    }
}
