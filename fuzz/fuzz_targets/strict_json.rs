//! `StrictJson` request bodies, read into real body types of the services (iam-svc's
//! login, lakeformation-svc's new instance, swr-svc's namespace create and update, the
//! internal signature check and release) by `service_kit::http::json::parse` after the
//! JSON syntax pass `web::Json` makes. Properties: no panic; an accepted body, written
//! out again, is accepted again as the same JSON; and a refusal never quotes a string
//! value of the body (it may be a password).
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use service_kit::http::json::parse;

fn strings<'v>(v: &'v Value, out: &mut Vec<&'v str>) {
    match v {
        Value::String(s) => out.push(s),
        Value::Array(items) => items.iter().for_each(|i| strings(i, out)),
        Value::Object(map) => map.values().for_each(|i| strings(i, out)),
        _ => {}
    }
}

fn check<T: DeserializeOwned + Serialize>(raw: Value) {
    match parse::<T>(raw.clone()) {
        Ok(body) => {
            let written = match serde_json::to_value(&body) {
                Ok(v) => v,
                Err(e) => panic!("an accepted body does not serialise: {e}"),
            };
            match parse::<T>(written.clone()) {
                Ok(again) => assert_eq!(serde_json::to_value(&again).ok(), Some(written)),
                Err(e) => panic!("an accepted body, written out, is refused: {e}"),
            }
        }
        Err(e) => {
            let message = e.to_string();
            let mut values = Vec::new();
            strings(&raw, &mut values);
            // Short or identifier-like strings may be field names the message names, and a
            // value may happen to be a piece of the message's own text: a value counts as
            // quoted when the same body with that value spelled differently has the new
            // spelling in its refusal.
            for s in values {
                let secret_like =
                    s.len() >= 8 && s.chars().any(|c| !(c.is_ascii_lowercase() || c == '_'));
                if secret_like && message.contains(s) {
                    // Spelled with a letter found nowhere in the body, so that a field
                    // name the refusal quotes cannot hold it.
                    let text = raw.to_string();
                    let Some(letter) = ['Q', 'Z', 'X', 'J', 'K', 'V']
                        .into_iter()
                        .find(|c| !text.contains(*c))
                    else {
                        continue;
                    };
                    let marker = letter.to_string().repeat(s.len().max(8));
                    if let Err(again) = parse::<T>(replace_string(&raw, s, &marker)) {
                        let again = again.to_string();
                        assert!(!again.contains(&marker), "{again:?} quotes {marker:?}");
                    }
                }
            }
        }
    }
}

/// `v` with every string value equal to `from` (keys stay) replaced by `to`.
fn replace_string(v: &Value, from: &str, to: &str) -> Value {
    match v {
        Value::String(s) if s == from => Value::String(to.to_string()),
        Value::Array(items) => {
            Value::Array(items.iter().map(|i| replace_string(i, from, to)).collect())
        }
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, i)| (k.clone(), replace_string(i, from, to)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, body)) = data.split_first() else {
        return;
    };
    // What `web::Json::<Value>` accepts; its refusals are the app's JsonConfig's.
    let Ok(raw) = serde_json::from_slice::<Value>(body) else {
        return;
    };
    match which % 6 {
        0 => check::<iam_svc::tokens::AuthRequest>(raw),
        1 => check::<lakeformation_svc::instances::NewInstance>(raw),
        2 => check::<swr_svc::namespaces::CreateBody>(raw),
        3 => check::<swr_svc::namespaces::UpdateBody>(raw),
        4 => check::<service_kit::auth::wire::SignatureCheck>(raw),
        _ => check::<service_kit::auth::wire::SignatureRelease>(raw),
    }
});
